import { copyInto, defaultGenerator, fill_, fromArray, full, isFloating, noGrad, type Generator, type Tensor } from '@mini/tensor';

/**
 * In-place initializers, like torch.nn.init: each writes into the tensor (on its device) without
 * recording a gradient, draws from `generator` (the seeded default generator unless given) and
 * returns the tensor.
 */

/** The nonlinearities calculateGain knows, as torch.nn.init names them. */
export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu';

/** Whether a Kaiming init keeps the variance of the forward pass (fan_in) or of the backward pass (fan_out). */
export type FanMode = 'fan_in' | 'fan_out';

const UNIT_GAIN = new Set(['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'sigmoid']);

/** The recommended gain for a nonlinearity, like calculate_gain (param: leaky_relu's negative slope). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  if (UNIT_GAIN.has(nonlinearity)) return 1;
  switch (nonlinearity) {
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || Number.isNaN(slope)) throw new Error(`negative_slope ${slope} not a valid number`);
      return Math.sqrt(2 / (1 + slope ** 2));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new Error(`Unsupported nonlinearity ${nonlinearity}`);
  }
}

/** fan_in and fan_out of a weight [out, in, ...kernel], like _calculate_fan_in_and_fan_out. */
export function calculateFanInAndFanOut(t: Tensor): {
  /** Inputs per output unit: size(1) times the receptive field. */
  fanIn: number;
  /** Outputs per input unit: size(0) times the receptive field. */
  fanOut: number;
} {
  if (t.ndim < 2) throw new Error('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

function correctFan(t: Tensor, mode: FanMode): number {
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new Error(`Mode ${mode} not supported, please use one of fan_in, fan_out`);
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return mode === 'fan_in' ? fanIn : fanOut;
}

/** Writes n values drawn in row-major order into t. */
function fillWith(t: Tensor, draw: () => number): Tensor {
  if (!isFloating(t.dtype)) throw new TypeError(`init: expected a floating point tensor, found ${t.dtype}`);
  const host = t.dtype === 'float64' ? new Float64Array(t.numel()) : new Float32Array(t.numel());
  for (let i = 0; i < host.length; i++) host[i] = draw();
  const values = fromArray(host, t.shape, { dtype: t.dtype, device: t.device });
  // Initialization is not part of any graph (PyTorch's init functions run under no_grad).
  noGrad(() => copyInto(t, values));
  values.dispose();
  return t;
}

/** U(a, b). */
export function uniform_(t: Tensor, a = 0, b = 1, generator: Generator = defaultGenerator): Tensor {
  return fillWith(t, () => a + (b - a) * generator.uniform());
}

/** N(mean, std²). */
export function normal_(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  return fillWith(t, () => mean + std * generator.normal());
}

/** Every element set to val. */
export function constant_(t: Tensor, val: number): Tensor {
  if (t.isContiguous()) return noGrad(() => fill_(t, val));
  const value = full([], val, { dtype: t.dtype, device: t.device });
  noGrad(() => copyInto(t, value));
  value.dispose();
  return t;
}

/** Fills `t` with zeros in place, like torch.nn.init.zeros_. */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** Fills `t` with ones in place, like torch.nn.init.ones_. */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/** U(−a, a) with a = gain·√(6 / (fan_in + fan_out)) (Glorot & Bengio). */
export function xavierUniform_(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a, generator);
}

/** N(0, std²) with std = gain·√(2 / (fan_in + fan_out)). */
export function xavierNormal_(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}

/**
 * U(−bound, bound) with bound = gain·√(3 / fan) (He et al.); `a` is leaky_relu's negative slope.
 * With a = √5 this is PyTorch's default Linear weight init, U(−1/√fan_in, 1/√fan_in).
 */
export function kaimingUniform_(
  t: Tensor,
  a = 0,
  mode: FanMode = 'fan_in',
  nonlinearity: Nonlinearity = 'leaky_relu',
  generator: Generator = defaultGenerator,
): Tensor {
  const bound = Math.sqrt(3) * (calculateGain(nonlinearity, a) / Math.sqrt(correctFan(t, mode)));
  return uniform_(t, -bound, bound, generator);
}

/** N(0, std²) with std = gain / √fan. */
export function kaimingNormal_(
  t: Tensor,
  a = 0,
  mode: FanMode = 'fan_in',
  nonlinearity: Nonlinearity = 'leaky_relu',
  generator: Generator = defaultGenerator,
): Tensor {
  return normal_(t, 0, calculateGain(nonlinearity, a) / Math.sqrt(correctFan(t, mode)), generator);
}
