/**
 * WebGPU in Node: Dawn's bindings, the npm package `webgpu` (an optional peer dependency, loaded
 * on the first request for an adapter, so that the cpu device needs nothing installed). Selected
 * by the `node` condition of `#webgpu-binding` in package.json; a web page gets
 * webgpu-binding-web.ts instead.
 */
import { readFileSync } from 'node:fs';
import type { Backend } from './adapter.ts';
import type { BufferLimit } from './buffer-pool.ts';

/** Every backend Dawn offers here, in the order they are tried. */
export const BACKENDS: readonly Backend[] = ['default', 'vulkan', 'opengles'];

/** What to do when no backend gives an adapter. */
export const NO_ADAPTER_HELP =
  'WebGPU in Node needs the npm package `webgpu` (npm install webgpu) and a GPU driver: on a machine ' +
  'without a GPU, Mesa 25 or newer with its Vulkan driver (lavapipe; Debian: mesa-vulkan-drivers, ' +
  'from bookworm-backports on Debian 12). See https://github.com/mini-ts/mini#webgpu-in-node\nOr use the cpu device: MINI_DEVICE=cpu.';

type Dawn = typeof import('webgpu');
let dawn: Promise<Dawn> | null = null;

async function loadDawn(): Promise<Dawn> {
  const module = await import('webgpu').catch((e: Error) => {
    dawn = null;
    throw new Error(`the npm package \`webgpu\` (Dawn's Node bindings) is not installed: npm install webgpu (${e.message})`);
  });
  // GPUBufferUsage, GPUMapMode, ... are globals in a browser; Dawn's Node bindings export them.
  if (typeof (globalThis as { GPUBufferUsage?: unknown }).GPUBufferUsage === 'undefined') Object.assign(globalThis, module.globals);
  return module;
}

/** Asks Dawn for an adapter on one backend; the returned GPU object must be kept referenced. */
export async function requestAdapter(backend: Backend): Promise<{ gpu: GPU; adapter: GPUAdapter }> {
  const { create } = await (dawn ??= loadDawn());
  process.env.XDG_RUNTIME_DIR ??= process.env.TMPDIR ?? '/tmp';
  if (backend === 'opengles') process.env.EGL_PLATFORM ??= 'surfaceless';
  const gpu = create(backend === 'default' ? [] : [`backend=${backend}`]);
  const options: GPURequestAdapterOptions =
    backend === 'opengles' ? ({ featureLevel: 'compatibility' } as GPURequestAdapterOptions) : {};
  const adapter = await gpu.requestAdapter(options);
  if (!adapter) throw new Error('requestAdapter returned null (Dawn prints its reason on stderr)');
  return { gpu, adapter };
}

/** Memory mappings Mesa's lavapipe takes per GPU buffer, rounded up from the 3.6 measured. */
const MAPPINGS_PER_BUFFER = 5;

/**
 * A software adapter (Mesa's lavapipe, SwiftShader) keeps each buffer in host memory mapped into
 * the process, and when Linux's vm.max_map_count mappings run out the driver crashes the process
 * (SIGSEGV) instead of reporting an error: its buffers are capped below that. Other adapters
 * report their own out-of-memory errors.
 */
export function bufferLimit(info: GPUAdapterInfo, readMapCount = readMaxMapCount): BufferLimit | null {
  if (!/llvmpipe|lavapipe|swiftshader/i.test(`${info.vendor} ${info.device} ${info.description}`)) return null;
  const mappings = readMapCount();
  if (mappings === null) return null;
  return { max: Math.floor(mappings / MAPPINGS_PER_BUFFER), reason: `a software GPU, in a process allowed vm.max_map_count = ${mappings} memory mappings` };
}

function readMaxMapCount(): number | null {
  try {
    return Number(readFileSync('/proc/sys/vm/max_map_count', 'utf8')) || null;
  } catch {
    return null;
  }
}
