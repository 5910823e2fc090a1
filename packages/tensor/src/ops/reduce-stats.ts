import { noGrad } from '../autograd/grad-mode.ts';
import { isFloating } from '../dtype.ts';
import type { Tensor } from '../tensor.ts';
import { add, div, eq, exp, log, mul, sqrt, sub, where } from './elementwise.ts';
import { amax, reducePlan, sum, type Dims } from './reduce.ts';
import { reshape } from './views.ts';
import { callArguments } from './call-arguments.ts';

/** Keyword arguments of var and std, as in PyTorch 1.13. */
export interface VarOptions {
  /** The dim or dims to reduce over; all dims when omitted. */
  dim?: Dims;
  /** Subtracted from the element count in the divisor (Bessel's correction): 1 by default. */
  correction?: number;
  /** The older spelling: true is correction 1, false correction 0. */
  unbiased?: boolean;
  /** Keep the reduced dims with size 1: false by default. */
  keepdim?: boolean;
}

/**
 * PyTorch's call forms of var/std: (), (unbiased), (dim), (dim, unbiased, keepdim), each with an
 * options object last: `var(x, 1, { correction: 0, keepdim: true })`.
 */
export type VarArgs = [] | [VarOptions] | [boolean, VarOptions?] | [Dims, (boolean | VarOptions)?, (boolean | VarOptions)?, VarOptions?];

function parseVarArgs(name: string, args: VarArgs): { dim: Dims; correction: number; keepdim: boolean } {
  // var(x, unbiased): a boolean first argument is not a dim.
  const list: unknown[] = typeof args[0] === 'boolean' ? [undefined, ...args] : [...args];
  const { dim, unbiased, keepdim = false, correction } = callArguments<VarOptions>(name, list, ['dim', 'unbiased', 'keepdim'], ['dim', 'correction', 'unbiased', 'keepdim']);
  if (unbiased !== undefined && correction !== undefined) throw new TypeError(`${name}(): cannot specify both unbiased and correction`);
  return { dim, correction: correction ?? (unbiased === false ? 0 : 1), keepdim };
}

function checkFloating(name: string, x: Tensor): void {
  if (!isFloating(x.dtype)) throw new TypeError(`${name}(): only floating point dtypes are supported, found ${x.dtype}`);
}

/**
 * The variance over dim (one, several, or all), like torch.var: the mean squared deviation with
 * max(0, N - correction) as divisor (a divisor of 0 gives inf or nan, as in PyTorch).
 * Exported as `var` too.
 */
export function variance(x: Tensor, ...args: VarArgs): Tensor {
  checkFloating('var', x);
  const { dim, correction, keepdim } = parseVarArgs('var', args);
  return varianceOf(x, dim, correction, keepdim);
}

function varianceOf(x: Tensor, dim: Dims, correction: number, keepdim: boolean): Tensor {
  const { count } = reducePlan(x, dim, keepdim);
  const deviation = sub(x, div(sum(x, dim, true), count));
  return div(sum(mul(deviation, deviation), dim, keepdim), Math.max(0, count - correction));
}

/** The standard deviation over dim, like torch.std: the square root of var with the same arguments. */
export function std(x: Tensor, ...args: VarArgs): Tensor {
  checkFloating('std', x);
  const { dim, correction, keepdim } = parseVarArgs('std', args);
  return sqrt(varianceOf(x, dim, correction, keepdim));
}

/**
 * log(sum(exp(x))) over dim (one or several), computed stably: the maximum is taken out first
 * (and left out where it is infinite), like torch.logsumexp. Its gradient is softmax(x).
 */
export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  const input = isFloating(x.dtype) ? x : x.float();
  const plan = reducePlan(input, dim, keepdim);
  // A constant to autograd: the result's gradient does not depend on the shift.
  const shift = noGrad(() => {
    const m = amax(input, dim, true);
    // m - m is 0 exactly where m is finite (inf - inf is NaN).
    return where(eq(sub(m, m), 0), m, 0);
  });
  const out = add(log(sum(exp(sub(input, shift)), dim, true)), shift);
  return keepdim ? out : reshape(out, plan.shape);
}
