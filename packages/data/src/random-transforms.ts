import { checkOptions, defaultGenerator, empty, type Generator, type Tensor } from '@mini/tensor';
import { augmentArrays, type Augment } from './augment.ts';
import { described, type Transform } from './transforms.ts';

/** Options every random transform takes besides torchvision's: the generator its draws come from. */
interface Seeded {
  /** The seeded generator of its random draws (the default generator if omitted). */
  generator?: Generator;
}

/**
 * The transform of one image: a uint8 or float image [H, W] or [C, H, W] on the cpu (the item
 * path; the GPU-resident batch path runs the same augmentation as one kernel per batch).
 */
function augmentTransform(aug: Augment): Transform {
  return described((img: Tensor) => {
    if (img.device.type !== 'cpu' || (img.ndim !== 2 && img.ndim !== 3)) {
      throw new TypeError(`${aug.kind}: expected an image [H, W] or [C, H, W] on the cpu, found [${img.shape.join(', ')}] on ${img.device}`);
    }
    const [C, H, W] = img.ndim === 2 ? [1, ...img.shape] : img.shape;
    const [outH, outW] = aug.size ?? [H, W];
    if (aug.kind === 'crop') {
      const [top, left, bottom, right] = aug.a(H, W);
      if (H + top + bottom < outH || W + left + right < outW) {
        throw new Error(`Required crop size (${outH}, ${outW}) is larger than input image size (${H + top + bottom}, ${W + left + right})`);
      }
    }
    const dense = img.contiguous();
    const out = empty(img.ndim === 2 ? [outH, outW] : [C, outH, outW], { dtype: img.dtype, device: img.device });
    augmentArrays(aug, aug.generator.nextUint32(), dense.storage.array.subarray(dense.offset), out.storage.array, [1, C, H, W]);
    return out;
  }, { kind: 'augment', augment: aug });
}

/** Like transforms.RandomHorizontalFlip: mirrors the image left to right with probability p. */
export function RandomHorizontalFlip(p = 0.5, options: Seeded = {}): Transform {
  checkOptions('RandomHorizontalFlip', options, ['generator']);
  return augmentTransform({ kind: 'flip', a: () => [p, 0, 0, 0], size: null, fill: 0, generator: options.generator ?? defaultGenerator });
}

/** RandomCrop's keyword arguments (torchvision's; padIfNeeded and padding modes other than 'constant' are not supported). */
export interface RandomCropOptions extends Seeded {
  /** Added on every side (a number), left/right and top/bottom ([2]), or left, top, right, bottom ([4]). */
  padding?: number | readonly number[] | null;
  /** torchvision's pad_if_needed: only false (the default) is supported. */
  padIfNeeded?: boolean;
  /** The value of padded pixels: 0 by default. */
  fill?: number;
  /** Only 'constant' (the default, padding with fill) is supported. */
  paddingMode?: 'constant';
}

/** Like transforms.RandomCrop: pads the image (with fill) and cuts a size [h, w] window at a uniform random offset. */
export function RandomCrop(size: number | readonly [number, number], options: RandomCropOptions = {}): Transform {
  checkOptions('RandomCrop', options, ['padding', 'padIfNeeded', 'fill', 'paddingMode', 'generator']);
  const { padding = null, padIfNeeded = false, fill = 0, paddingMode = 'constant' } = options;
  if (padIfNeeded) throw new Error('RandomCrop: padIfNeeded is not supported by mini (give padding)');
  if (paddingMode !== 'constant') throw new Error(`RandomCrop: padding mode '${paddingMode as string}' is not supported by mini (it pads with a constant fill)`);
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  const pad = padding === null ? [0, 0, 0, 0] : typeof padding === 'number' ? [padding, padding, padding, padding] : [...padding];
  if (pad.length === 2) pad.push(pad[0], pad[1]);
  if (pad.length !== 4) throw new Error(`Padding must be an int or a 1, 2, or 4 element tuple, not a ${pad.length} element tuple`);
  const [left, top, right, bottom] = pad;
  return augmentTransform({ kind: 'crop', a: () => [top, left, bottom, right], size: [h, w], fill, generator: options.generator ?? defaultGenerator });
}

/** The [min, max] range a degrees argument gives, with torchvision's checks. */
function degreeRange(degrees: number | readonly [number, number]): [number, number] {
  if (typeof degrees === 'number') {
    if (degrees < 0) throw new Error('If degrees is a single number, it must be positive.');
    return [-degrees, degrees];
  }
  if (degrees.length !== 2) throw new Error('If degrees is a sequence, it must be of len 2.');
  return [degrees[0], degrees[1]];
}

/** RandomRotation's keyword arguments (nearest interpolation only; expand and center are not supported). */
export interface RandomRotationOptions extends Seeded {
  /** Only 'nearest' (the default) is supported. */
  interpolation?: 'nearest';
  /** torchvision's expand: only false (the default) is supported. */
  expand?: boolean;
  /** torchvision's center: only null (the default, the image centre) is supported. */
  center?: null;
  /** The value of pixels outside the rotated image: 0 by default. */
  fill?: number;
}

/** Like transforms.RandomRotation: rotates by a uniform angle in [−degrees, degrees] (or [min, max]) about the centre, nearest-neighbour, filling with fill. */
export function RandomRotation(degrees: number | readonly [number, number], options: RandomRotationOptions = {}): Transform {
  checkOptions('RandomRotation', options, ['interpolation', 'expand', 'center', 'fill', 'generator']);
  const { interpolation = 'nearest', expand = false, center = null, fill = 0 } = options;
  if (interpolation !== 'nearest' || expand || center !== null) {
    throw new Error('RandomRotation: only nearest interpolation about the centre, without expand, is supported by mini');
  }
  const [min, max] = degreeRange(degrees);
  return augmentTransform({ kind: 'affine', a: () => [min, max, 0, 0], size: null, fill, generator: options.generator ?? defaultGenerator });
}

/** RandomAffine's keyword arguments: rotation and translation (scale and shear are not supported). */
export interface RandomAffineOptions extends Seeded {
  /** Maximum shifts as fractions of the width and height: shifts are whole pixels uniform in ±fraction·size, rounded. */
  translate?: readonly [number, number] | null;
  /** torchvision's scale: only null (the default, no scaling) is supported. */
  scale?: null;
  /** torchvision's shear: only null (the default, no shear) is supported. */
  shear?: null;
  /** Only 'nearest' (the default) is supported. */
  interpolation?: 'nearest';
  /** The value of pixels outside the transformed image: 0 by default. */
  fill?: number;
  /** torchvision's center: only null (the default, the image centre) is supported. */
  center?: null;
}

/** Like transforms.RandomAffine with degrees and translate: a random rotation, then a random shift, nearest-neighbour. */
export function RandomAffine(degrees: number | readonly [number, number], options: RandomAffineOptions = {}): Transform {
  checkOptions('RandomAffine', options, ['translate', 'scale', 'shear', 'interpolation', 'fill', 'center', 'generator']);
  const { translate = null, scale = null, shear = null, interpolation = 'nearest', fill = 0, center = null } = options;
  if (scale !== null || shear !== null) throw new Error('RandomAffine: scale and shear are not supported by mini (degrees and translate are)');
  if (interpolation !== 'nearest' || center !== null) throw new Error('RandomAffine: only nearest interpolation about the centre is supported by mini');
  if (translate && !translate.every((t) => t >= 0 && t <= 1)) throw new Error('translation values should be between 0 and 1');
  const [min, max] = degreeRange(degrees);
  const [fx, fy] = translate ?? [0, 0];
  return augmentTransform({ kind: 'affine', a: (h, w) => [min, max, fx * w, fy * h], size: null, fill, generator: options.generator ?? defaultGenerator });
}
