import type { Tensor } from '@mini/tensor';
import { Module } from '../module.ts';

/** Flattens dims startDim..endDim into one (by default all but the batch dim), like nn.Flatten. */
export class Flatten extends Module {
  /**
   * @param startDim The first dim to flatten (1: keep the batch dim).
   * @param endDim The last dim to flatten (-1: the last).
   */
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }

  /** The arguments PyTorch prints inside this module's repr: `start_dim=..., end_dim=...`. */
  extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
