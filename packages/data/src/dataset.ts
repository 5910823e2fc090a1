import { defaultGenerator, type Generator, type Tensor } from '@mini/tensor';

/** A map-style dataset, like torch.utils.data.Dataset: a length and an item per index. */
export abstract class Dataset<T = unknown> {
  /** The number of items, like Python's len(dataset). */
  abstract get length(): number;
  /** Item `index` (negative counts from the end), like `dataset[index]`. */
  abstract getItem(index: number): T;

  /** Resolves once the data is loaded (datasets read from disk load asynchronously). */
  get ready(): Promise<this> {
    return Promise.resolve(this);
  }
}

/** PyTorch's message for an index outside [-size, size). */
export function checkIndex(index: number, size: number): number {
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new RangeError(`index ${index} is out of bounds for dimension 0 with size ${size}`);
  }
  return index < 0 ? index + size : index;
}

/** Rows of tensors that share their first dimension, like torch.utils.data.TensorDataset. */
export class TensorDataset extends Dataset<Tensor[]> {
  /** The tensors, each with the dataset's length in dim 0. */
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new TypeError('TensorDataset expects at least one tensor');
    const size = tensors[0].ndim === 0 ? -1 : tensors[0].shape[0];
    if (tensors.some((t) => t.ndim === 0 || t.shape[0] !== size)) {
      const sizes = tensors.map((t) => (t.ndim === 0 ? 'a 0-d tensor' : t.shape[0])).join(', ');
      throw new RangeError(`Size mismatch between tensors: expected the same size in dim 0, found ${sizes}`);
    }
    this.tensors = tensors;
  }

  /** The size of dim 0, shared by every tensor. */
  get length(): number {
    return this.tensors[0].shape[0];
  }

  /** Row `index` of each tensor. */
  getItem(index: number): Tensor[] {
    const i = checkIndex(index, this.length);
    return this.tensors.map((t) => t.narrow(0, i, 1).squeeze(0));
  }
}

/** The items of `dataset` at `indices`, in that order, like torch.utils.data.Subset. */
export class Subset<T> extends Dataset<T> {
  /** The indices into `dataset` that make up this subset. */
  readonly indices: Int32Array;

  constructor(
    /** The dataset this is a subset of. */
    readonly dataset: Dataset<T>,
    indices: ArrayLike<number>,
  ) {
    super();
    this.indices = Int32Array.from(indices);
  }

  /** The number of indices. */
  get length(): number {
    return this.indices.length;
  }

  /** The item of the underlying dataset at `indices[index]`. */
  getItem(index: number): T {
    return this.dataset.getItem(this.indices[checkIndex(index, this.length)]);
  }

  override get ready(): Promise<this> {
    return this.dataset.ready.then(() => this);
  }
}

/**
 * Splits a dataset into non-overlapping random subsets, like torch.utils.data.random_split:
 * `lengths` are counts that add up to the dataset's length, or fractions that add up to 1
 * (the remainder of the floored counts is dealt one by one, round-robin, from the first subset).
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], generator: Generator = defaultGenerator): Subset<T>[] {
  const n = dataset.length;
  const sum = lengths.reduce((a, b) => a + b, 0);
  // PyTorch's rule: lengths that sum to 1 (and not past the length) are fractions.
  const counts = Math.abs(sum - 1) <= 1e-9 && sum <= n ? countsFromFractions(lengths, n) : [...lengths];
  if (counts.some((c) => !Number.isInteger(c) || c < 0)) {
    throw new RangeError(`randomSplit: lengths must be non-negative integers or fractions that sum to 1, found [${lengths.join(', ')}]`);
  }
  const total = counts.reduce((a, b) => a + b, 0);
  if (total !== n) {
    throw new RangeError(`Sum of input lengths does not equal the length of the input dataset! (lengths sum to ${total}, the dataset holds ${n})`);
  }
  const order = generator.permutation(n);
  let start = 0;
  return counts.map((count) => new Subset(dataset, order.subarray(start, (start += count))));
}

function countsFromFractions(fractions: readonly number[], n: number): number[] {
  const counts = fractions.map((f) => Math.floor(n * f));
  const remainder = n - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; i < remainder; i++) counts[i % counts.length] += 1;
  return counts;
}
