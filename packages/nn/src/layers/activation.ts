import type { Tensor } from '@mini/tensor';
import * as F from '../functional.ts';
import { Module } from '../module.ts';

export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return F.relu(input);
  }
}

export class LogSoftmax extends Module {
  constructor(readonly dim?: number) {
    super();
  }

  forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.dim);
  }

  extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

export class Softmax extends Module {
  constructor(readonly dim?: number) {
    super();
  }

  forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim);
  }

  extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}
