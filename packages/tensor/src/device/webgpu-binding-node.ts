/**
 * WebGPU in Node: Dawn's bindings, the npm package `webgpu` (an optional peer dependency, loaded
 * on the first request for an adapter, so that the cpu device needs nothing installed). Selected
 * by the `node` condition of `#webgpu-binding` in package.json; a web page gets
 * webgpu-binding-web.ts instead.
 */
import type { Backend } from './adapter.ts';

/** Every backend Dawn offers here, in the order they are tried. */
export const BACKENDS: readonly Backend[] = ['default', 'vulkan', 'opengles'];

/** What to do when no backend gives an adapter. */
export const NO_ADAPTER_HELP =
  'WebGPU in Node needs the npm package `webgpu` (npm install webgpu) and a GPU driver: on a machine ' +
  'without a GPU, Mesa 25 or newer with its Vulkan driver (lavapipe; Debian: mesa-vulkan-drivers, ' +
  'from bookworm-backports on Debian 12). See https://github.com/mini-ts/mini#webgpu-in-node';

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
