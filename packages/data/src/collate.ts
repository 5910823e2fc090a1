import { copyInto, empty, fromArray, isTensor, type Device, type Tensor } from '@mini/tensor';

/** What default collation makes of an item type: tensors and numbers stack into one tensor, lists and objects collate field by field. */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean
    ? Tensor
    : T extends string
      ? string[]
      : T extends readonly unknown[]
        ? { -readonly [K in keyof T]: Collated<T[K]> }
        : T extends object
          ? { [K in keyof T]: Collated<T[K]> }
          : never;

/**
 * Merges a list of items into a batch, like torch.utils.data.default_collate: tensors are stacked
 * along a new dim 0, integers become an int32 tensor and other numbers float32, booleans bool,
 * strings a list; tuples/lists and plain objects are collated position by position.
 */
export function defaultCollate<T>(items: readonly T[]): Collated<T> {
  return collate(items as readonly unknown[]) as Collated<T>;
}

function collate(items: readonly unknown[]): unknown {
  const first = items[0];
  if (isTensor(first)) return stack(items as Tensor[]);
  if (typeof first === 'number') {
    const values = items as number[];
    return fromArray(values, [values.length], { dtype: values.every(Number.isInteger) ? 'int32' : 'float32', device: 'cpu' });
  }
  if (typeof first === 'boolean') return fromArray((items as boolean[]).map(Number), [items.length], { dtype: 'bool', device: 'cpu' });
  if (typeof first === 'string') return [...items];
  if (Array.isArray(first)) {
    const lists = items as unknown[][];
    if (lists.some((l) => l.length !== first.length)) throw new RangeError('each element in list of batch should be of equal size');
    return first.map((_, k) => collate(lists.map((l) => l[k])));
  }
  if (first !== null && typeof first === 'object' && Object.getPrototypeOf(first) === Object.prototype) {
    const records = items as Record<string, unknown>[];
    return Object.fromEntries(Object.keys(first).map((key) => [key, collate(records.map((r) => r[key]))]));
  }
  throw new TypeError(`default_collate: batch must contain tensors, numbers, booleans, strings, lists or plain objects; found ${describe(first)}`);
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
}

/** torch.stack of equal-shaped tensors along a new dim 0: on the host for cpu tensors, by row copies on the GPU. */
function stack(tensors: readonly Tensor[]): Tensor {
  const [first] = tensors;
  tensors.forEach((t, i) => {
    if (!isTensor(t)) throw new TypeError(`stack expects a list of tensors, found ${describe(t)} at entry ${i}`);
    if (t.shape.length !== first.shape.length || t.shape.some((d, k) => d !== first.shape[k])) {
      throw new RangeError(`stack expects each tensor to be equal size, but got [${first.shape.join(', ')}] at entry 0 and [${t.shape.join(', ')}] at entry ${i}`);
    }
    if (t.dtype !== first.dtype) throw new TypeError(`stack expects tensors of one dtype, but got ${first.dtype} at entry 0 and ${t.dtype} at entry ${i}`);
  });
  const out = empty([tensors.length, ...first.shape], { dtype: first.dtype, device: first.device });
  if (first.device.type === 'cpu') {
    const size = first.numel();
    const dst = out.storage.array;
    tensors.forEach((t, i) => {
      const dense = t.contiguous();
      dst.set(dense.storage.array.subarray(dense.offset, dense.offset + size), i * size);
    });
  } else {
    tensors.forEach((t, i) => {
      const row = out.narrow(0, i, 1);
      const src = t.unsqueeze(0);
      copyInto(row, src);
      row.dispose();
      src.dispose();
    });
  }
  return out;
}

/** The batch with every tensor moved to `target` (reading back from the GPU when the target is the cpu). */
export async function moveBatch<B>(batch: B, device: Device): Promise<B> {
  const move = async (value: unknown): Promise<unknown> => {
    if (isTensor(value)) {
      if (value.device === device) return value;
      return device.type === 'cpu' ? value.cpu() : value.to(device);
    }
    if (Array.isArray(value)) return Promise.all(value.map(move));
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await move(v)])));
    }
    return value;
  };
  return (await move(batch)) as B;
}

/** The tensors of a batch: the batch itself, or those in its arrays and plain objects. */
export function batchTensors(batch: unknown, into: Tensor[] = []): Tensor[] {
  if (isTensor(batch)) into.push(batch);
  else if (Array.isArray(batch)) for (const v of batch) batchTensors(v, into);
  else if (batch !== null && typeof batch === 'object' && Object.getPrototypeOf(batch) === Object.prototype) {
    for (const v of Object.values(batch)) batchTensors(v, into);
  }
  return into;
}
