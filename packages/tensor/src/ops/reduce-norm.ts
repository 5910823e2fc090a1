import { record } from '../autograd-hooks.ts';
import { noGrad } from '../autograd/grad-mode.ts';
import { isFloating } from '../dtype.ts';
import type { Tensor } from '../tensor.ts';
import { abs, copyAs, div, eq, mul, pow, sign, sqrt, where } from './elementwise.ts';
import { amax, amin, reducePlan, sum, type Dims } from './reduce.ts';
import { expand, reshape } from './views.ts';

/** The order of a norm: a number (Infinity and -Infinity included) or 'fro'. */
export type NormOrder = number | 'fro' | 'nuc';

/** The norm's value, not recorded. */
function normValue(x: Tensor, p: number, dim: Dims, keepdim: boolean): Tensor {
  if (p === Infinity) return amax(abs(x), dim, keepdim);
  if (p === -Infinity) return amin(abs(x), dim, keepdim);
  if (p === 0) return sum(copyAs(copyAs(x, 'bool'), x.dtype), dim, keepdim);
  if (p === 1) return sum(abs(x), dim, keepdim);
  if (p === 2) return sqrt(sum(mul(x, x), dim, keepdim));
  return pow(sum(pow(abs(x), p), dim, keepdim), 1 / p);
}

/** d norm / d x times g (broadcast as x), as PyTorch's norm_backward. `norm` and g have keepdim's shape. */
function normGradient(x: Tensor, p: number, norm: Tensor, g: Tensor, dim: Dims): Tensor | null {
  // The count of nonzeros is piecewise constant: no gradient reaches x, as in PyTorch.
  if (p === 0) return null;
  const n = expand(norm, x.shape);
  const grad = expand(g, x.shape);
  if (p === 1) return mul(sign(x), grad);
  if (!Number.isFinite(p)) {
    // Shared evenly among the elements that reach the norm (NaN counts as reaching it).
    const a = abs(x);
    const hit = where(eq(a, a), copyAs(eq(a, n), x.dtype), 1);
    const ties = expand(sum(hit, dim, true), x.shape);
    return mul(mul(hit, sign(x)), div(grad, ties));
  }
  // 0 where the norm is 0, as PyTorch masks it.
  const scale = where(eq(n, 0), 0, div(grad, p === 2 ? n : pow(n, p - 1)));
  if (p === 2) return mul(x, scale);
  const scaled = p < 2 ? mul(sign(x), pow(abs(x), p - 1)) : mul(x, pow(abs(x), p - 2));
  if (p < 1) return mul(where(eq(x, 0), 0, scaled), mul(grad, pow(n, 1 - p)));
  return mul(scaled, scale);
}

/**
 * The p-norm over dim (one, several, or all), like torch.norm(input, p='fro', dim=None, keepdim=False):
 * p = 2 or 'fro' (the same over any dims), 1, Infinity, -Infinity, 0 (the count of nonzeros) or
 * any other number. The nuclear norm is not supported.
 */
export function norm(x: Tensor, p: NormOrder = 'fro', dim?: Dims, keepdim = false): Tensor {
  if (p === 'nuc') throw new Error("norm: p='nuc' (the nuclear norm) is not supported");
  if (!isFloating(x.dtype)) throw new TypeError(`norm(): input dtype should be either floating point or complex. Got ${x.dtype} instead.`);
  const order = p === 'fro' ? 2 : p;
  const plan = reducePlan(x, dim, keepdim);
  const out = noGrad(() => normValue(x, order, dim, keepdim));
  return record('Norm', [x], out, [x, out], (g, [sx, sout]) => [
    normGradient(sx, order, reshape(sout, plan.kept), reshape(g, plan.kept), dim),
  ]);
}
