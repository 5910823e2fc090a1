import type { Device } from './device/device.ts';
import { allocArray, type DType, type TypedArray } from './dtype.ts';

/** Bytes one element takes on the GPU: uint8 is packed, bool is one u32 (WGSL has no bytes). */
export function gpuItemSize(dtype: DType): number {
  return dtype === 'uint8' ? 1 : 4;
}

const live = { tensors: 0, bytes: 0 };

/**
 * Reference-counted memory behind one or more tensors: a typed array on cpu, a pooled GPUBuffer
 * on webgpu. Views share a storage; the autograd tape retains what it saves.
 */
export class Storage {
  private refs = 1;
  /**
   * How many in-place writes this memory has seen (PyTorch's version counter, shared by all
   * views): autograd records it with each saved tensor and checks it in backward.
   */
  private _version = 0;

  private constructor(
    readonly device: Device,
    readonly dtype: DType,
    readonly byteLength: number,
    private readonly _buffer: GPUBuffer | null,
    private readonly _array: TypedArray | null,
  ) {
    live.bytes += byteLength;
  }

  static cpu(device: Device, dtype: DType, array: TypedArray): Storage {
    return new Storage(device, dtype, array.byteLength, null, array);
  }

  /** A GPU storage of `length` elements (uninitialized: the pool may hand out used memory). */
  static gpu(device: Device, dtype: DType, length: number, buffer?: GPUBuffer): Storage {
    const bytes = length * gpuItemSize(dtype);
    return new Storage(device, dtype, bytes, buffer ?? device.gpu.pool.acquire(bytes), null);
  }

  static alloc(device: Device, dtype: DType, length: number): Storage {
    return device.type === 'cpu' ? Storage.cpu(device, dtype, allocArray(dtype, length)) : Storage.gpu(device, dtype, length);
  }

  get released(): boolean {
    return this.refs === 0;
  }

  get buffer(): GPUBuffer {
    if (!this._buffer) throw new Error('internal: cpu storage has no GPU buffer');
    return this._buffer;
  }

  get array(): TypedArray {
    if (!this._array) throw new Error('internal: GPU storage has no host array');
    return this._array;
  }

  get version(): number {
    return this._version;
  }

  /** Marks one in-place write; see markModified() for ops that write tensors in place. */
  bumpVersion(): void {
    this._version++;
  }

  retain(): this {
    if (this.refs === 0) throw new Error('internal: retain of released storage');
    this.refs++;
    return this;
  }

  release(): void {
    if (this.refs === 0) return;
    if (--this.refs > 0) return;
    live.bytes -= this.byteLength;
    if (this._buffer) this.device.gpu.pool.release(this._buffer);
  }
}

export function countTensor(delta: number): void {
  live.tensors += delta;
}

/** What memory() reports: live tensors, the bytes they hold, and the bytes pooled for reuse. */
export interface MemoryInfo {
  /** Tensors created and not yet disposed (or collected). */
  liveTensors: number;
  /** Bytes of storage that some tensor still holds, on every device. */
  liveBytes: number;
  /** Bytes of GPU buffers held by the pool for reuse. */
  pooledBytes: number;
  /** GPU buffers created since start-up: constant in a steady training loop. */
  gpuBuffersCreated: number;
}

export function memoryCounts(): { liveTensors: number; liveBytes: number } {
  return { liveTensors: live.tensors, liveBytes: live.bytes };
}
