import type { DispatchFusion, KernelSpec } from '../device/webgpu.ts';
import type { ParamValues } from '../device/params-layout.ts';
import type { Tensor } from '../tensor.ts';
import type { DType } from '../dtype.ts';
import type { Device } from '../device/device.ts';
import { empty } from '../alloc.ts';
import { keep } from '../memory.ts';

/** Workgroup counts covering n threads in groups of `wg`, folded into y past the x limit. */
export function grid(n: number, wg = 256): [number, number] {
  const groups = Math.max(1, Math.ceil(n / wg));
  const x = Math.min(groups, 65535);
  return [x, Math.ceil(groups / x)];
}

/**
 * The grid of a kernel whose threads stride over n elements (elementwise.wgsl, pool.wgsl, sgd.wgsl): a
 * quarter as many threads as elements, each taking four. On llvmpipe an invocation costs about as
 * much as a simple op's element, so this runs such kernels 15–45 % faster (bench/findings.md).
 */
export function stridingGrid(n: number): [number, number] {
  return grid(Math.ceil(n / 4));
}

export const FLOAT64_ON_WEBGPU = 'float64 is not supported on webgpu (WGSL has no f64): use float32, or the cpu device';

/** The WGSL element type a tensor's GPU buffer holds. */
export function wgslType(dtype: DType): string {
  switch (dtype) {
    case 'float32':
      return 'f32';
    case 'float64':
      throw new TypeError(FLOAT64_ON_WEBGPU);
    case 'int32':
      return 'i32';
    case 'bool':
      return 'u32';
    case 'uint8':
      throw new Error(
        'uint8 tensors on webgpu can only be read back, indexed by rows, or converted with .float() / .int() / normalize; convert first',
      );
  }
}

const placeholders = new WeakMap<Device, Tensor>();

/** A one-element tensor to bind where a kernel's input slot is unused. */
export function placeholder(device: Device): Tensor {
  let t = placeholders.get(device);
  if (!t) placeholders.set(device, (t = keep(empty([1], 'float32', device))));
  return t;
}

/**
 * Records one dispatch of `spec` over the tensors' buffers; `params` names each field of the
 * kernel's `struct Params`; `fusion` says what the peephole at submit may fuse it with.
 */
export function launch(label: string, spec: KernelSpec, tensors: readonly Tensor[], params: ParamValues, workgroups: readonly number[], fusion?: DispatchFusion): void {
  const gpu = tensors[0].device.gpu;
  gpu.dispatch(label, gpu.kernel(spec, label), tensors.map((t) => t.storage.buffer), params, workgroups, fusion);
}
