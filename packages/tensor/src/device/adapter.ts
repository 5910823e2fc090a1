import { environment } from '../env.ts';
import { BACKENDS, NO_ADAPTER_HELP, requestAdapter } from '#webgpu-binding';

/**
 * The ways of reaching a WebGPU adapter through Dawn, in the order they are tried. GL comes last
 * by measurement (bench/RESULTS.md): on lavapipe, Vulkan's subgroup matmuls train ThreeNet about
 * twice as fast as Dawn's GL backend, although GL runs WGSL without subgroups faster.
 * A web page has one: the browser's own (`default`).
 */
export type Backend = 'default' | 'vulkan' | 'opengles';

/** The adapter found, with what must be kept alive while it is in use. */
export interface AdapterChoice {
  /** The GPU object: in Node, Dawn's; it must stay referenced for as long as the device is used, or the process crashes. */
  gpu: GPU;
  adapter: GPUAdapter;
  backend: Backend;
}

/** Backends to try: MINI_WEBGPU_BACKEND narrows the list to one. */
export function backendsToTry(env: Record<string, string | undefined> = environment()): Backend[] {
  const wanted = env.MINI_WEBGPU_BACKEND;
  if (!wanted) return [...BACKENDS];
  const alias: Record<string, Backend> = { gl: 'opengles', opengl: 'opengles' };
  const backend = (alias[wanted] ?? wanted) as Backend;
  if (!BACKENDS.includes(backend)) {
    throw new Error(`MINI_WEBGPU_BACKEND=${wanted} is not a backend; expected one of ${BACKENDS.join(', ')}`);
  }
  return [backend];
}

/**
 * Finds a working adapter: the platform default (a real GPU where there is one), then Vulkan,
 * then Dawn's GL backend in compatibility mode. When none works, the error lists each try.
 */
export async function findAdapter(env: Record<string, string | undefined> = environment()): Promise<AdapterChoice> {
  const failures: string[] = [];
  for (const backend of backendsToTry(env)) {
    try {
      const { gpu, adapter } = await requestAdapter(backend);
      return { gpu, adapter, backend };
    } catch (e) {
      failures.push(`  ${backend}: ${(e as Error).message}`);
    }
  }
  throw new Error(`No WebGPU adapter could be created. Tried:\n${failures.join('\n')}\n${NO_ADAPTER_HELP}`);
}
