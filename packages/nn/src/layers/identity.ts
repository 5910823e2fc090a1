import type { Tensor } from '@mini/tensor';
import { Module } from '../module.ts';

/** Returns its input unchanged, like nn.Identity (its arguments are accepted and ignored). */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }

  forward(input: Tensor): Tensor {
    return input;
  }
}
