import type { Tensor } from '@mini/tensor';
import { Module } from '../module.ts';

/** Flattens dims startDim..endDim into one (by default all but the batch dim), like nn.Flatten. */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }

  extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
