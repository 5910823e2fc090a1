import { empty, type Generator, type Tensor, type TypedArray } from '@mini/tensor';
import { grid, launch } from '@mini/tensor/internal';

/**
 * A random geometric augmentation, as kernels/augment.wgsl computes it: every output pixel takes
 * its nearest source pixel, or `fill` outside the image. `a` holds the kind's four numbers
 * (see the kernel's header) for an input of the given size; `size` the output [height, width]
 * (null: the input's).
 */
export interface Augment {
  /** Which geometric transform: a random horizontal flip, a random crop, or a random affine map. */
  kind: 'flip' | 'crop' | 'affine';
  /** The kind's four numbers (see kernels/augment.wgsl's header) for an input of the given size. */
  a: (height: number, width: number) => readonly [number, number, number, number];
  /** The output [height, width], or null for the input's. */
  size: readonly [number, number] | null;
  /** In the units of the image the transform receives (pixel values for uint8 images). */
  fill: number;
  /** The generator that draws each batch's seed. */
  generator: Generator;
}

const KINDS = { flip: 0, crop: 1, affine: 2 } as const;

function pcg(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** The kernel's per-sample uniform number k in [0, 1) (24 bits, exact in float32). */
function uniform(seed: number, sample: number, k: number): number {
  return ((pcg((seed ^ pcg(sample * 4 + k)) >>> 0) >>> 8) / 16777216);
}

const f32 = Math.fround;

/** The source pixel [x, y] of output pixel (x, y) of `sample`, in float32 arithmetic as on the GPU. */
function source(aug: Augment, seed: number, sample: number, x: number, y: number, inH: number, inW: number, outH: number, outW: number): [number, number] {
  const [a0, a1, a2, a3] = aug.a(inH, inW).map(f32);
  const u = (k: number) => uniform(seed, sample, k);
  if (aug.kind === 'flip') return [u(0) < a0 ? inW - 1 - x : x, y];
  if (aug.kind === 'crop') {
    const top = Math.floor(f32(u(0) * f32(inH + a0 + a2 - outH + 1)));
    const left = Math.floor(f32(u(1) * f32(inW + a1 + a3 - outW + 1)));
    return [x + left - a1, y + top - a0];
  }
  const angle = f32(f32(f32(a0 + f32(u(0) * f32(a1 - a0))) * f32(Math.PI)) / 180);
  const tx = Math.floor(f32(f32(-a2 + f32(f32(u(1) * 2) * a2)) + 0.5));
  const ty = Math.floor(f32(f32(-a3 + f32(f32(u(2) * 2) * a3)) + 0.5));
  const cx = f32((inW - 1) * 0.5);
  const cy = f32((inH - 1) * 0.5);
  const ex = f32(f32(x - cx) - tx);
  const ey = f32(f32(y - cy) - ty);
  const [cs, sn] = [f32(Math.cos(angle)), f32(Math.sin(angle))];
  return [Math.floor(f32(f32(f32(ex * cs) - f32(ey * sn)) + cx) + 0.5), Math.floor(f32(f32(f32(ex * sn) + f32(ey * cs)) + cy) + 0.5)];
}

/**
 * The CPU reference: augments `batch` images [C, inH, inW] from `src` into `dst` ([C, outH, outW]
 * each), typed arrays of any element type.
 */
export function augmentArrays(aug: Augment, seed: number, src: TypedArray, dst: TypedArray, shape: readonly [number, number, number, number]): void {
  const [batch, channels, inH, inW] = shape;
  const [outH, outW] = aug.size ?? [inH, inW];
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        const [sx, sy] = source(aug, seed, b, x, y, inH, inW, outH, outW);
        const inside = sx >= 0 && sy >= 0 && sx < inW && sy < inH;
        for (let c = 0; c < channels; c++) {
          dst[((b * channels + c) * outH + y) * outW + x] = inside ? src[((b * channels + c) * inH + sy) * inW + sx] : aug.fill;
        }
      }
    }
  }
}

/**
 * Augments a contiguous float32 batch [B, C, H, W] with one seed drawn from the augmentation's
 * generator: on webgpu as one dispatch, on the cpu with the reference. `fill` is in the batch's
 * units (the resident path passes the normalized fill).
 */
export function augmentBatch(aug: Augment, batch: Tensor, fill: number = aug.fill): Tensor {
  if (batch.ndim !== 4 || batch.dtype !== 'float32' || !batch.isContiguous()) {
    throw new Error(`augmentBatch: expected a contiguous float32 batch [B, C, H, W], found ${batch.dtype} [${batch.shape.join(', ')}]`);
  }
  const [B, C, H, W] = batch.shape;
  const [outH, outW] = aug.size ?? [H, W];
  const seed = aug.generator.nextUint32();
  const out = empty([B, C, outH, outW], { dtype: 'float32', device: batch.device });
  if (batch.device.type === 'cpu') {
    augmentArrays({ ...aug, fill }, seed, batch.storage.array.subarray(batch.offset), out.storage.array, [B, C, H, W]);
    return out;
  }
  if (batch.offset !== 0) throw new Error('augmentBatch: the batch must start at its buffer\'s start on webgpu');
  const [a0, a1, a2, a3] = aug.a(H, W);
  const params = { batch: B, channels: C, in_h: H, in_w: W, out_h: outH, out_w: outW, seed, fill, a0, a1, a2, a3 };
  launch(`augment.${aug.kind}`, { family: 'augment', entry: 'main', constants: { KIND: KINDS[aug.kind] } }, [batch, out], params, grid(out.numel()));
  return out;
}
