/** The sizes of a tensor's dims. */
export type Shape = readonly number[];

/** The number of elements of a tensor of `shape` (1 for a scalar). */
export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The row-major strides of `shape`, in elements. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** `shape` as written in error messages, e.g. `[256, 784]`. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function checkShape(shape: readonly unknown[]): number[] {
  for (const d of shape) {
    if (Number.isInteger(d) && (d as number) < 0) {
      throw new RangeError(`Trying to create tensor with negative dimension ${d}: [${shape.join(', ')}]`);
    }
    if (!Number.isInteger(d)) {
      throw new RangeError(`shape must be a list of non-negative integers, found ${JSON.stringify(shape)}`);
    }
  }
  return shape as number[];
}

/** Wraps a possibly negative dim into [0, ndim), with PyTorch's error when it is out of range. */
export function normalizeDim(dim: number, ndim: number): number {
  const rank = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -rank || dim >= rank) {
    throw new RangeError(`Dimension out of range (expected to be in range of [${-rank}, ${rank - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + rank : dim;
}

/** The broadcast shape of two shapes, with PyTorch's error when they do not broadcast. */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read a tensor of `shape`/`strides` as if it had the broadcast shape `to` (0 where broadcast). */
export function broadcastStrides(shape: Shape, strides: readonly number[], to: Shape): number[] {
  const out = new Array<number>(to.length).fill(0);
  const lead = to.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[lead + i] = shape[i] === 1 ? 0 : strides[i];
  return out;
}

/** Resolves one -1 in a requested shape, checking the element count. */
export function inferShape(requested: readonly number[], count: number, original: Shape): number[] {
  const shape = [...requested];
  const free = shape.indexOf(-1);
  if (shape.indexOf(-1, free + 1) !== -1) throw new RangeError('only one dimension can be inferred');
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  if (free !== -1) {
    if (known === 0 || count % known !== 0) {
      throw new RangeError(`shape '${formatShape(requested)}' is invalid for input of size ${count}`);
    }
    shape[free] = count / known;
  }
  checkShape(shape);
  if (numel(shape) !== count) {
    throw new RangeError(`shape '${formatShape(requested)}' is invalid for input of size ${count} (input shape ${formatShape(original)})`);
  }
  return shape;
}
