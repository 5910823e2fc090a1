import { checkOptions, defaultGenerator, isKept, tidy, device as resolveDevice, type Device, type DeviceLike, type Generator, type Tensor } from '@mini/tensor';
import { batchTensors, defaultCollate, moveBatch, type Collated } from './collate.ts';
import type { Dataset } from './dataset.ts';
import { batchRanges, residentBatches, residentSource } from './resident.ts';

/** The options of a DataLoader, as torch.utils.data.DataLoader's keyword arguments. */
export interface DataLoaderOptions<T, B> {
  /** Items per batch. Default 1. */
  batchSize?: number;
  /** A new random order every epoch, drawn from `generator`. Default false. */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize. Default false. */
  dropLast?: boolean;
  /** The seeded generator that shuffles (the default generator if omitted). */
  generator?: Generator;
  /** Where batches are made and returned (the default device if omitted). */
  device?: DeviceLike;
  /** Merges a list of items into a batch (defaultCollate if omitted). */
  collateFn?: (items: T[]) => B;
}

/**
 * Batches of a dataset, like torch.utils.data.DataLoader: `for await (const [data, labels] of loader)`
 * runs one epoch, reshuffled each time when `shuffle` is set; `length` is the number of batches.
 *
 * An image dataset of the MNIST family whose transform is ToTensor (+ Normalize) is batched on the
 * device: its bytes are uploaded once, and each batch is one gather-and-normalize kernel. Any
 * other dataset is batched item by item: getItem, transform on the host, collate, move to the device.
 *
 * Each batch lives until the next one is drawn (or the loop ends, or breaks): then its tensors are
 * disposed, so a training loop needs no dispose() of its own. `keep(t)` keeps a batch tensor
 * alive past that (to hold on to a batch, keep its tensors); disposing one early is harmless.
 * A collateFn must return tensors of its own (as defaultCollate does), not the dataset's.
 */
export class DataLoader<T, B = Collated<T>> implements AsyncIterable<B> {
  /** Items per batch. */
  readonly batchSize: number;
  /** Whether each epoch visits the items in a new random order. */
  readonly shuffle: boolean;
  /** Whether a last, smaller batch is left out. */
  readonly dropLast: boolean;
  /** The generator the shuffles are drawn from. */
  readonly generator: Generator;
  /** The device the batches are made on. */
  readonly device: Device;
  private readonly collateFn: ((items: T[]) => B) | null;

  constructor(
    /** The dataset the batches are drawn from. */
    readonly dataset: Dataset<T>,
    options: DataLoaderOptions<T, B> = {},
  ) {
    checkOptions('DataLoader', options, ['batchSize', 'shuffle', 'dropLast', 'generator', 'device', 'collateFn']);
    const batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new RangeError(`batch_size should be a positive integer value, but got batch_size=${batchSize}`);
    }
    this.batchSize = batchSize;
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.generator = options.generator ?? defaultGenerator;
    this.device = resolveDevice(options.device);
    this.collateFn = options.collateFn ?? null;
  }

  /** The number of batches in an epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** One epoch of batches (reshuffled when `shuffle`): `for await (const batch of loader)`. */
  async *[Symbol.asyncIterator](): AsyncGenerator<B> {
    const batches = this.batches();
    let held: Tensor[] = [];
    const release = () => {
      for (const t of held) if (!isKept(t)) t.dispose();
      held = [];
    };
    try {
      for (;;) {
        release(); // before the next batch is made, so that it can reuse the freed buffers
        const next = await batches.next();
        if (next.done) return;
        held = batchTensors(next.value);
        yield next.value;
      }
    } finally {
      release();
      await batches.return(undefined);
    }
  }

  /** One epoch of batches, which the iterator then releases one by one. */
  private async *batches(): AsyncGenerator<B> {
    await this.dataset.ready;
    const n = this.dataset.length;
    const order = this.shuffle ? this.generator.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    const resident = this.collateFn ? null : residentSource(this.dataset);
    if (resident) {
      for (const batch of residentBatches(resident, this.device, order, this.batchSize, this.dropLast)) {
        await this.throttle();
        yield batch as unknown as B;
      }
      return;
    }
    const collate = this.collateFn ?? (defaultCollate as unknown as (items: T[]) => B);
    for (const [start, size] of batchRanges(n, this.batchSize, this.dropLast)) {
      await this.throttle();
      // The items' tensors die with the tidy scope; the collated ones that moveBatch replaces, after it.
      const collated = tidy(() => collate(Array.from(order.subarray(start, start + size), (i) => this.dataset.getItem(i))));
      const moved = await moveBatch(collated, this.device);
      const kept = new Set(batchTensors(moved));
      for (const t of batchTensors(collated)) if (!kept.has(t) && !isKept(t)) t.dispose();
      yield moved;
    }
  }

  /** Backpressure: a loop over the batches that never reads back still runs at the GPU's pace. */
  private async throttle(): Promise<void> {
    if (this.device.type === 'webgpu') await this.device.gpu.throttle();
  }
}
