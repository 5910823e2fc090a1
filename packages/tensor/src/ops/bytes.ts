import { empty } from '../alloc.ts';
import type { DType } from '../dtype.ts';
import type { Tensor } from '../tensor.ts';
import { checkDType, checkSameDevice, firstOutOfRange } from './checks.ts';
import { indexOutOfRange } from '../device/device-checks.ts';
import { grid, launch, placeholder, wgslType } from './gpu.ts';
import { checkOptions } from '../options.ts';
import { contiguous } from './views.ts';

/** How normalizeBytes turns bytes into floats: `(byte * scale - mean) / std`, optionally gathering rows. */
export interface NormalizeOptions {
  /** Multiplier applied to each byte first: 1/255 maps pixels to [0, 1] like ToTensor. */
  scale?: number;
  /** Subtracted after scaling (default 0). */
  mean?: number;
  /** Divides last (default 1). */
  std?: number;
  /** Take rows (slices along dim 0) in this int32 order: the batch gather. */
  index?: Tensor;
  /** The float type of the result (float32 by default). */
  dtype?: DType;
}

/**
 * uint8 → float32: (x·scale − mean) / std, optionally gathering rows by index first. On webgpu
 * this is one kernel over the packed bytes, which is how a batch of images is made on the GPU.
 */
export function normalizeBytes(x: Tensor, options: NormalizeOptions = {}): Tensor {
  return gatherNormalized(x, null, checkOptions('normalizeBytes', options, ['scale', 'mean', 'std', 'index', 'dtype']))[0];
}

/**
 * A batch of a GPU-resident labelled set: normalizeBytes(images, { index, ... }) and
 * labels[index] (int32 labels [rows]) together, in one kernel on webgpu. `index` is required.
 */
export function gatherBatch(images: Tensor, labels: Tensor, options: NormalizeOptions & { index: Tensor }): [Tensor, Tensor] {
  checkOptions('gatherBatch', options, ['scale', 'mean', 'std', 'index', 'dtype']);
  if (!options.index) throw new TypeError('gatherBatch: expected an int32 index tensor (the batch\'s rows), found none');
  checkSameDevice([images, labels]);
  checkDType('gatherBatch', labels, ['int32'], 'labels');
  const rows = images.ndim === 0 ? 1 : images.shape[0];
  if (labels.ndim !== 1 || labels.shape[0] !== rows) {
    throw new RangeError(`gatherBatch: expected labels [${rows}] (one per image), found [${labels.shape.join(', ')}]`);
  }
  const [batch, batchLabels] = gatherNormalized(images, labels, options);
  return [batch, batchLabels!];
}

/** normalizeBytes, and with labels (and an index) also labels[index], in one dispatch on webgpu. */
function gatherNormalized(x: Tensor, labels: Tensor | null, options: NormalizeOptions): [Tensor, Tensor | null] {
  const { scale = 1 / 255, mean = 0, std = 1, index, dtype = 'float32' } = options;
  checkDType('normalizeBytes', x, ['uint8']);
  if (!x.isContiguous()) throw new Error('normalizeBytes: expected a contiguous uint8 tensor');
  if (index) {
    checkSameDevice([x, index]);
    checkDType('normalizeBytes', index, ['int32'], 'index');
  }
  const rows = x.ndim === 0 ? 1 : x.shape[0];
  const row = rows === 0 ? 0 : x.numel() / rows;
  const count = index ? index.numel() : rows;
  const shape = x.ndim === 0 ? [] : [count, ...x.shape.slice(1)];
  const bad = index && x.device.type === 'cpu' ? firstOutOfRange(index, rows) : undefined;
  if (bad !== undefined) throw new RangeError(indexOutOfRange(bad, rows));
  const ix = index ? contiguous(index) : null;
  const lb = labels ? contiguous(labels) : null;
  try {
    if (x.device.type === 'cpu') return cpuNormalize(x, ix, lb, shape, rows, row, { scale, mean, std, dtype });
    const out = empty(shape, dtype, x.device);
    const labelsOut = lb ? empty([count], 'int32', x.device) : null;
    const params = { rows, row, offset: x.offset, count, scale, mean, stdev: std, off_index: ix?.offset ?? 0, off_labels: lb?.offset ?? 0 };
    const n = count * row;
    const words = x.offset % 4 !== 0 ? 0 : row % 16 === 0 ? 4 : row % 4 === 0 ? 1 : 0;
    const spec = { family: 'bytes', template: { OUT: wgslType(dtype) }, constants: { GATHER: ix ? 1 : 0, LABELS: lb ? 1 : 0, WORDS: words } };
    // Without labels their slots take x (read) and the placeholder (written, never touched).
    if (n > 0) launch('normalizeBytes', spec, [x, ix ?? x, out, lb ?? x, labelsOut ?? placeholder(x.device)], params, grid(n / Math.max(1, 4 * words)));
    return [out, labelsOut];
  } finally {
    if (ix && ix !== index) ix.dispose();
    if (lb && lb !== labels) lb.dispose();
  }
}

/** The cpu reference, over a contiguous index already checked (and contiguous labels, gathered too). */
function cpuNormalize(x: Tensor, index: Tensor | null, labels: Tensor | null, shape: number[], rows: number, row: number, o: Required<Omit<NormalizeOptions, 'index'>>): [Tensor, Tensor | null] {
  const picked = index ? index.storage.array.subarray(index.offset, index.offset + index.numel()) : null;
  const out = empty(shape, o.dtype, x.device);
  const labelsOut = labels ? empty([picked ? picked.length : rows], 'int32', x.device) : null;
  const src = x.storage.array;
  const dst = out.storage.array;
  const count = picked ? picked.length : rows;
  for (let i = 0; i < count; i++) {
    const r = picked ? picked[i] : i;
    for (let j = 0; j < row; j++) dst[i * row + j] = (src[x.offset + r * row + j] * o.scale - o.mean) / o.std;
    if (labelsOut) labelsOut.storage.array[i] = labels!.storage.array[labels!.offset + r];
  }
  return [out, labelsOut];
}
