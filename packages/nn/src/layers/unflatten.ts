import { numel, type Tensor } from '@mini/tensor';
import { Module } from '../module.ts';

/** Splits dim into unflattenedSize (one entry may be -1), like nn.Unflatten: the inverse of Flatten. */
export class Unflatten extends Module {
  /** The sizes that dim is split into (one may be -1, inferred). */
  readonly unflattenedSize: readonly number[];

  constructor(
    /** The dim to split (negative counts from the end). */
    readonly dim: number,
    unflattenedSize: readonly number[],
  ) {
    super();
    if (!unflattenedSize.every(Number.isInteger)) throw new TypeError(`unflattened_size must be a list of ints, found [${unflattenedSize.join(', ')}]`);
    this.unflattenedSize = [...unflattenedSize];
  }

  forward(input: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + input.ndim : this.dim;
    if (d < 0 || d >= input.ndim) {
      throw new RangeError(`Dimension out of range (expected to be in range of [${-input.ndim}, ${input.ndim - 1}], but got ${this.dim})`);
    }
    const sizes = this.unflattenedSize;
    const known = numel(sizes.filter((s) => s !== -1));
    const fits = sizes.includes(-1) ? known > 0 && input.shape[d] % known === 0 : known === input.shape[d];
    if (!fits) {
      throw new Error(`unflatten: Provided sizes [${sizes.join(', ')}] don't multiply up to the size of dim ${this.dim} (${input.shape[d]}) in the input tensor`);
    }
    return input.reshape([...input.shape.slice(0, d), ...sizes, ...input.shape.slice(d + 1)]);
  }

  extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=(${this.unflattenedSize.join(', ')}${this.unflattenedSize.length === 1 ? ',' : ''})`;
  }
}
