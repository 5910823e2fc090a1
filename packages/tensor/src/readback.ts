import { allocArray, type DType, type TypedArray } from './dtype.ts';
import { gpuItemSize } from './storage.ts';
import { stridedIndices } from './ops/strided.ts';
import { contiguous } from './ops/views.ts';
import type { Tensor } from './tensor.ts';

/** The elements of t in row-major order, on the host. On webgpu this waits for the GPU. */
export async function readArray(t: Tensor): Promise<TypedArray> {
  const n = t.numel();
  if (t.device.type === 'cpu') {
    const src = t.storage.array;
    if (t.isContiguous()) return src.slice(t.offset, t.offset + n);
    const out = allocArray(t.dtype, n);
    const index = stridedIndices(t.shape, t.strides, t.offset);
    for (let i = 0; i < n; i++) out[i] = src[index[i]];
    return out;
  }
  if (t.dtype === 'uint8' && !t.isContiguous()) return readStridedBytes(t);
  const dense = t.isContiguous() ? t : contiguous(t);
  try {
    const size = gpuItemSize(t.dtype);
    return fromGpuBytes(t.dtype, await t.device.gpu.read(dense.storage.buffer, dense.offset * size, n * size), n);
  } finally {
    if (dense !== t) dense.dispose();
  }
}

/** Bytes on the GPU are packed and no kernel copies them: read the span the view covers, gather here. */
async function readStridedBytes(t: Tensor): Promise<Uint8Array> {
  const span = t.shape.reduce((last, d, i) => last + (d - 1) * t.strides[i], 0) + 1;
  const bytes = await t.device.gpu.read(t.storage.buffer, t.offset, t.numel() === 0 ? 0 : span);
  return Uint8Array.from(stridedIndices(t.shape, t.strides, 0), (i) => bytes[i]);
}

function fromGpuBytes(dtype: DType, bytes: Uint8Array, n: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(bytes.buffer, bytes.byteOffset, n);
    case 'float64':
      throw new Error('internal: float64 tensors never live on webgpu');
    case 'int32':
      return new Int32Array(bytes.buffer, bytes.byteOffset, n);
    case 'uint8':
      return bytes;
    case 'bool':
      return Uint8Array.from(new Uint32Array(bytes.buffer, bytes.byteOffset, n));
  }
}
