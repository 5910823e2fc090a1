import { gatherBatch, keep, upload, type Device, type Tensor } from '@mini/tensor';
import { augmentBatch } from './augment.ts';
import { bytePipeline, type BytePipeline } from './byte-pipeline.ts';
import { Subset, type Dataset } from './dataset.ts';
import { ImageDataset } from './image-dataset.ts';

/** An image dataset (possibly behind Subsets) whose batches one normalizeBytes kernel (and one kernel per augmentation) can make. */
export interface ResidentSource {
  dataset: ImageDataset;
  /** Positions in `dataset` of the outer dataset's items (null: the same positions). */
  indices: Int32Array | null;
  pipeline: BytePipeline;
}

/**
 * The resident source behind `dataset`, or null when its items must be made one by one: it must
 * be an ImageDataset (or Subsets of one) with no target transform and a recognised transform.
 */
export function residentSource(dataset: Dataset<unknown>): ResidentSource | null {
  let indices: Int32Array | null = null;
  let inner: Dataset<unknown> = dataset;
  while (inner instanceof Subset) {
    const own: Int32Array = inner.indices;
    indices = indices ? indices.map((i) => own[i]) : own;
    inner = inner.dataset;
  }
  if (!(inner instanceof ImageDataset) || inner.targetTransform) return null;
  const pipeline = bytePipeline(inner.transform);
  return pipeline ? { dataset: inner, indices, pipeline } : null;
}

const copies = new WeakMap<ImageDataset, Map<Device, { images: Tensor; labels: Tensor }>>();

/** The dataset's images and labels on `device`, uploaded on first use and shared by every loader. */
function onDevice(dataset: ImageDataset, device: Device): { images: Tensor; labels: Tensor } {
  if (device.type === 'cpu') return { images: dataset.data, labels: dataset.targets };
  let perDevice = copies.get(dataset);
  if (!perDevice) copies.set(dataset, (perDevice = new Map()));
  let copy = perDevice.get(device);
  if (!copy) perDevice.set(device, (copy = { images: keep(dataset.data.to(device)), labels: keep(dataset.targets.to(device)) }));
  return copy;
}

/** [start, size] of each batch of an epoch of n items. */
export function* batchRanges(n: number, batchSize: number, dropLast: boolean): Generator<[number, number]> {
  const end = dropLast ? n - (n % batchSize) : n;
  for (let start = 0; start < end; start += batchSize) yield [start, Math.min(batchSize, end - start)];
}

/**
 * One epoch of [images [B, 1, H, W] float32, labels [B] int32] batches in `order`. The order is
 * uploaded once for the epoch; each batch is a view of it (narrow), one kernel that gathers and
 * normalizes the images and gathers their labels, and one kernel per augmentation (seeded by one
 * number from its generator, a kernel parameter), so there is no upload from the host per batch.
 */
export function* residentBatches(source: ResidentSource, device: Device, order: Int32Array, batchSize: number, dropLast: boolean): Generator<[Tensor, Tensor]> {
  const { images, labels } = onDevice(source.dataset, device);
  const rows = source.indices ? order.map((i) => source.indices![i]) : order;
  const index = upload(rows, [rows.length], 'int32', device);
  const [, height, width] = images.shape;
  try {
    for (const [start, size] of batchRanges(rows.length, batchSize, dropLast)) {
      const batchIndex = index.narrow(0, start, size);
      const { augments, normalization: n } = source.pipeline;
      const [flat, y] = gatherBatch(images, labels, { ...n, index: batchIndex });
      let x = flat.view([size, 1, height, width]);
      flat.dispose();
      for (const augment of augments) {
        // The fill is in pixel values, as for torchvision's PIL images: normalized like them.
        const next = augmentBatch(augment, x, (augment.fill * n.scale - n.mean) / n.std);
        x.dispose();
        x = next;
      }
      batchIndex.dispose();
      yield [x, y];
    }
  } finally {
    index.dispose();
  }
}
