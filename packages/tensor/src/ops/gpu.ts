import type { KernelSpec } from '../device/webgpu.ts';
import type { Tensor } from '../tensor.ts';
import type { DType } from '../dtype.ts';
import type { Device } from '../device/device.ts';
import { empty } from '../alloc.ts';
import { keep } from '../memory.ts';

/** Packs a kernel's params struct: 4-byte fields in declaration order. */
export class Params {
  private view = new DataView(new ArrayBuffer(256));
  private bytes = 0;

  u32(...values: number[]): this {
    for (const v of values) this.put((o) => this.view.setUint32(o, v, true));
    return this;
  }

  i32(...values: number[]): this {
    for (const v of values) this.put((o) => this.view.setInt32(o, v, true));
    return this;
  }

  f32(...values: number[]): this {
    for (const v of values) this.put((o) => this.view.setFloat32(o, v, true));
    return this;
  }

  /** A fixed-length u32 array field, zero-padded. */
  u32Array(values: readonly number[], length: number): this {
    if (values.length > length) throw new Error(`tensors of more than ${length} dims are not supported on webgpu (found ${values.length})`);
    for (let i = 0; i < length; i++) this.u32(values[i] ?? 0);
    return this;
  }

  private put(write: (offset: number) => void): void {
    write(this.bytes);
    this.bytes += 4;
  }

  get buffer(): ArrayBuffer {
    return this.view.buffer.slice(0, this.bytes);
  }
}

/** Workgroup counts covering n threads in groups of `wg`, folded into y past the x limit. */
export function grid(n: number, wg = 256): [number, number] {
  const groups = Math.max(1, Math.ceil(n / wg));
  const x = Math.min(groups, 65535);
  return [x, Math.ceil(groups / x)];
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

/** Records one dispatch of `spec` over the tensors' buffers. */
export function launch(label: string, spec: KernelSpec, tensors: readonly Tensor[], params: Params, workgroups: readonly number[]): void {
  const gpu = tensors[0].device.gpu;
  gpu.dispatch(label, gpu.kernel(spec, label), tensors.map((t) => t.storage.buffer), params.buffer, workgroups);
}
