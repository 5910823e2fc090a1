import { fromArray, normalizeBytes, type Tensor } from '@mini/tensor';
import type { Augment } from './augment.ts';

/** An image transform, like torchvision's: a function from tensor to tensor. */
export type Transform = (input: Tensor) => Tensor;

/** What a built-in transform is, so that a loader can recognise a pipeline it can run on the GPU. */
export type TransformSpec =
  | { kind: 'compose'; transforms: readonly Transform[] }
  | { kind: 'toTensor' }
  | { kind: 'normalize'; mean: readonly number[]; std: readonly number[] }
  | { kind: 'grayscale'; numOutputChannels: number }
  | { kind: 'augment'; augment: Augment };

const specs = new WeakMap<Transform, TransformSpec>();

/** Records what a built-in transform is (see transformSpec). */
export function described(fn: Transform, spec: TransformSpec): Transform {
  specs.set(fn, spec);
  return fn;
}

/** The spec of a built-in transform; undefined for Lambda and plain functions. */
export function transformSpec(transform: Transform): TransformSpec | undefined {
  return specs.get(transform);
}

/** Applies the transforms in order, like transforms.Compose. */
export function Compose(transforms: readonly Transform[]): Transform {
  const list = [...transforms];
  return described((x) => list.reduce((y, t) => t(y), x), { kind: 'compose', transforms: list });
}

/** A user function as a transform, like transforms.Lambda. */
export function Lambda(fn: Transform): Transform {
  return (x) => fn(x);
}

/**
 * Like transforms.ToTensor: a uint8 image [H, W] or [H, W, C] becomes float32 [C, H, W] in [0, 1];
 * a float image is only moved to channels-first.
 */
export function ToTensor(): Transform {
  return described((pic) => {
    if (pic.ndim !== 2 && pic.ndim !== 3) throw new TypeError(`pic should be 2/3 dimensional. Got ${pic.ndim} dimensions.`);
    const floats = pic.dtype === 'uint8' ? normalizeBytes(pic.contiguous(), { scale: 1 / 255 }) : pic.float();
    return pic.ndim === 2 ? floats.unsqueeze(0) : floats.permute(2, 0, 1).contiguous();
  }, { kind: 'toTensor' });
}

/** Like transforms.Normalize: (x − mean[c]) / std[c] for each channel c of a float [..., C, H, W] tensor. */
export function Normalize(mean: number | readonly number[], std: number | readonly number[]): Transform {
  const m = typeof mean === 'number' ? [mean] : [...mean];
  const s = typeof std === 'number' ? [std] : [...std];
  if (s.some((v) => Math.fround(v) === 0)) {
    throw new RangeError(`std evaluated to zero after conversion to torch.float32, leading to division by zero.`);
  }
  return described((x) => {
    if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new TypeError(`Input tensor should be a float tensor. Got ${x.dtype}.`);
    if (x.ndim < 3) throw new RangeError(`Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = [${x.shape.join(', ')}]`);
    const channels = x.shape[x.ndim - 3];
    for (const values of [m, s]) {
      if (values.length !== 1 && values.length !== channels) {
        const broadcast = [...x.shape];
        broadcast[x.ndim - 3] = values.length;
        throw new RangeError(`output with shape [${x.shape.join(', ')}] doesn't match the broadcast shape [${broadcast.join(', ')}]`);
      }
    }
    const options = { dtype: x.dtype, device: x.device };
    return x.sub(fromArray(m, [m.length, 1, 1], options)).div(fromArray(s, [s.length, 1, 1], options));
  }, { kind: 'normalize', mean: m, std: s });
}

/**
 * Like transforms.Grayscale on a uint8 image: [H, W] stays single-channel (or is repeated to 3),
 * [H, W, 3] becomes ITU-R 601-2 luma with PIL's integer rounding.
 */
export function Grayscale(numOutputChannels: 1 | 3 = 1): Transform {
  return described((img) => {
    if (img.dtype !== 'uint8' || img.device.type !== 'cpu' || !(img.ndim === 2 || (img.ndim === 3 && [1, 3].includes(img.shape[2])))) {
      throw new TypeError(`Grayscale: expected a uint8 image [H, W], [H, W, 1] or [H, W, 3] on the cpu, found ${img.dtype} [${img.shape.join(', ')}] on ${img.device}`);
    }
    const dense = img.contiguous();
    const src = dense.storage.array.subarray(dense.offset, dense.offset + dense.numel());
    const pixels = img.shape[0] * img.shape[1];
    const gray = new Uint8Array(pixels);
    if (img.ndim === 2 || img.shape[2] === 1) gray.set(src);
    else for (let p = 0; p < pixels; p++) gray[p] = (src[3 * p] * 19595 + src[3 * p + 1] * 38470 + src[3 * p + 2] * 7471 + 0x8000) >>> 16;
    if (numOutputChannels === 1) return fromArray(gray, img.ndim === 2 ? [img.shape[0], img.shape[1]] : [img.shape[0], img.shape[1], 1], { dtype: 'uint8', device: 'cpu' });
    const rgb = new Uint8Array(pixels * 3);
    for (let p = 0; p < pixels; p++) rgb.fill(gray[p], 3 * p, 3 * p + 3);
    return fromArray(rgb, [img.shape[0], img.shape[1], 3], { dtype: 'uint8', device: 'cpu' });
  }, { kind: 'grayscale', numOutputChannels });
}
