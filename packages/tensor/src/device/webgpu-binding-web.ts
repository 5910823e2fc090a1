/**
 * WebGPU in a web page (or any host with `navigator.gpu`): the browser's own adapter. Selected
 * by `#webgpu-binding` in package.json wherever the `node` condition does not apply.
 */
import type { Backend } from './adapter.ts';
import type { BufferLimit } from './buffer-pool.ts';

/** A page has one backend: whatever the browser uses. */
export const BACKENDS: readonly Backend[] = ['default'];

/** What to do when the browser gives no adapter. */
export const NO_ADAPTER_HELP =
  'This browser gave no WebGPU adapter (navigator.gpu is missing or returned none): use a browser ' +
  "with WebGPU enabled, or use the cpu device: init('cpu'). See https://github.com/mini-ts/mini#threenet-in-the-browser";

/** Asks the browser for an adapter. */
export async function requestAdapter(backend: Backend): Promise<{ gpu: GPU; adapter: GPUAdapter }> {
  if (backend !== 'default') throw new Error(`a web page uses the browser's WebGPU backend, not '${backend}'`);
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) throw new Error('navigator.gpu is undefined (no WebGPU in this browser, or not a secure context)');
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned null');
  return { gpu, adapter };
}

/** A browser reports running out of GPU memory itself: no limit of mini's own. */
export function bufferLimit(_info: GPUAdapterInfo): BufferLimit | null {
  return null;
}
