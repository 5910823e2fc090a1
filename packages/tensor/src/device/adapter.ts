import { create, globals } from 'webgpu';

// GPUBufferUsage, GPUMapMode, ... are globals in a browser; Dawn's Node bindings export them.
if (typeof (globalThis as { GPUBufferUsage?: unknown }).GPUBufferUsage === 'undefined') Object.assign(globalThis, globals);

/**
 * The ways of reaching a WebGPU adapter through Dawn, in the order they are tried. GL comes last
 * by measurement (bench/RESULTS.md): on lavapipe, Vulkan's subgroup matmuls train ThreeNet about
 * twice as fast as Dawn's GL backend, although GL runs WGSL without subgroups faster.
 */
export type Backend = 'default' | 'vulkan' | 'opengles';
const BACKENDS: readonly Backend[] = ['default', 'vulkan', 'opengles'];

export interface AdapterChoice {
  /** Dawn's GPU object: it must stay referenced for as long as the device is used, or the process crashes. */
  gpu: GPU;
  adapter: GPUAdapter;
  backend: Backend;
}

const FIX_LINUX =
  'On Debian 12 install the software GPU (Mesa 25 lavapipe): run `bash scripts/setup.sh` as root, ' +
  'or see README.md "The software GPU" for the apt commands.';

/** Backends to try: MINI_WEBGPU_BACKEND narrows the list to one. */
export function backendsToTry(env: NodeJS.ProcessEnv = process.env): Backend[] {
  const wanted = env.MINI_WEBGPU_BACKEND;
  if (!wanted) return [...BACKENDS];
  const alias: Record<string, Backend> = { gl: 'opengles', opengl: 'opengles' };
  const backend = (alias[wanted] ?? wanted) as Backend;
  if (!BACKENDS.includes(backend)) {
    throw new Error(`MINI_WEBGPU_BACKEND=${wanted} is not a backend; expected one of ${BACKENDS.join(', ')}`);
  }
  return [backend];
}

async function tryBackend(backend: Backend): Promise<AdapterChoice> {
  process.env.XDG_RUNTIME_DIR ??= process.env.TMPDIR ?? '/tmp';
  if (backend === 'opengles') process.env.EGL_PLATFORM ??= 'surfaceless';
  const gpu = create(backend === 'default' ? [] : [`backend=${backend}`]);
  const options: GPURequestAdapterOptions =
    backend === 'opengles' ? ({ featureLevel: 'compatibility' } as GPURequestAdapterOptions) : {};
  const adapter = await gpu.requestAdapter(options);
  if (!adapter) throw new Error('requestAdapter returned null (Dawn prints its reason on stderr)');
  return { gpu, adapter, backend };
}

/**
 * Finds a working adapter: the platform default (a real GPU where there is one), then Vulkan,
 * then Dawn's GL backend in compatibility mode. When none works, the error lists each try.
 */
export async function findAdapter(env: NodeJS.ProcessEnv = process.env): Promise<AdapterChoice> {
  const failures: string[] = [];
  for (const backend of backendsToTry(env)) {
    try {
      return await tryBackend(backend);
    } catch (e) {
      failures.push(`  ${backend}: ${(e as Error).message}`);
    }
  }
  const fix = process.platform === 'linux' ? FIX_LINUX : 'Use a browser or Node build with WebGPU support.';
  throw new Error(`No WebGPU adapter could be created. Tried:\n${failures.join('\n')}\n${fix}\nOr use the cpu device: MINI_DEVICE=cpu.`);
}
