import type { Tensor } from '@mini/tensor';
import * as F from '../functional.ts';
import { Module } from '../module.ts';

/** PyTorch's inplace flag: mini's activations always return a new tensor. */
function checkNotInplace(name: string, inplace: boolean): void {
  if (inplace) throw new Error(`${name}: inplace=True is not supported by mini (the activation returns a new tensor)`);
}

/** 1/(1 + e^−x), like nn.Sigmoid. */
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

/** The hyperbolic tangent, like nn.Tanh. */
export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

/** x·Φ(x), or its tanh approximation with approximate 'tanh', like nn.GELU. */
export class GELU extends Module {
  constructor(
    /** 'none' (the default): the exact x·Φ(x); 'tanh': its tanh approximation. */
    readonly approximate: 'none' | 'tanh' = 'none',
  ) {
    super();
    if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`approximate argument must be either none or tanh, found ${approximate as string}`);
  }

  forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }

  extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** x for x > 0, else negativeSlope·x, like nn.LeakyReLU. */
export class LeakyReLU extends Module {
  constructor(
    /** The slope for x < 0: 0.01 by default. */
    readonly negativeSlope = 0.01,
    inplace = false,
  ) {
    super();
    checkNotInplace('LeakyReLU', inplace);
  }

  forward(input: Tensor): Tensor {
    return F.leakyRelu(input, this.negativeSlope);
  }

  extraRepr(): string {
    return `negative_slope=${this.negativeSlope}`;
  }
}

/** x·sigmoid(x), like nn.SiLU. */
export class SiLU extends Module {
  constructor(inplace = false) {
    super();
    checkNotInplace('SiLU', inplace);
  }

  forward(input: Tensor): Tensor {
    return F.silu(input);
  }
}

/** x for x > 0, else alpha·(e^x − 1), like nn.ELU. */
export class ELU extends Module {
  constructor(
    /** The scale of the negative branch: 1 by default. */
    readonly alpha = 1,
    inplace = false,
  ) {
    super();
    checkNotInplace('ELU', inplace);
  }

  forward(input: Tensor): Tensor {
    return F.elu(input, this.alpha);
  }

  extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** log(1 + e^(beta·x))/beta, linear above threshold, like nn.Softplus. */
export class Softplus extends Module {
  constructor(
    /** The sharpness β: 1 by default. */
    readonly beta = 1,
    /** Above beta·x > threshold the output is x: 20 by default. */
    readonly threshold = 20,
  ) {
    super();
  }

  forward(input: Tensor): Tensor {
    return F.softplus(input, this.beta, this.threshold);
  }

  extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}
