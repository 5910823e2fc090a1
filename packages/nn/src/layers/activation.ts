import type { Tensor } from '@mini/tensor';
import * as F from '../functional.ts';
import { Module } from '../module.ts';

/** max(x, 0) elementwise, like torch.nn.ReLU. */
export class ReLU extends Module {
  /** Applies the layer to `input`. */
  forward(input: Tensor): Tensor {
    return F.relu(input);
  }
}

/** log(softmax(x)) along `dim`, like torch.nn.LogSoftmax. */
export class LogSoftmax extends Module {
  /** @param dim The dim to normalize over (PyTorch's implicit choice, with its warning, when absent). */
  constructor(readonly dim?: number) {
    super();
  }

  forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.dim);
  }

  /** The arguments PyTorch prints inside this module's repr (e.g. `dim=1`). */
  extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

/** softmax along `dim`, like torch.nn.Softmax. */
export class Softmax extends Module {
  /** @param dim The dim to normalize over (PyTorch's implicit choice, with its warning, when absent). */
  constructor(readonly dim?: number) {
    super();
  }

  forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim);
  }

  /** The arguments PyTorch prints inside this module's repr (e.g. `dim=1`). */
  extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}
