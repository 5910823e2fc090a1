import { abs, checkOptions, clamp, copyInto, isTensor, maximum, mul_, zeros, type Tensor } from '@mini/tensor';
import { noGrad } from '@mini/autograd';

/** clipGradNorm_'s keyword arguments. */
export interface ClipGradNormOptions {
  /** Throw (after reading the norm back) instead of scaling when the total norm is NaN or infinite. */
  errorIfNonfinite?: boolean;
}

function withGrad(parameters: Iterable<Tensor> | Tensor): Tensor[] {
  return (isTensor(parameters) ? [parameters] : [...parameters]).filter((p) => p.grad !== null);
}

/** The normType-norm of all the gradients together, as a 0-d tensor on the first gradient's device. */
function totalNorm(grads: readonly Tensor[], normType: number): Tensor {
  if (normType === Infinity) return grads.map((g) => abs(g).max()).reduce((a, b) => maximum(a, b));
  const powered = grads.map((g) => (normType === 2 ? g.mul(g) : normType === 1 ? abs(g) : abs(g).pow(normType)).sum());
  const sum = powered.reduce((a, b) => a.add(b));
  return normType === 2 ? sum.sqrt() : normType === 1 ? sum : sum.pow(1 / normType);
}

/**
 * Scales the gradients of `parameters` in place so that their total norm (of order normType, 2 by
 * default, Infinity for the largest magnitude) is at most maxNorm, like
 * torch.nn.utils.clip_grad_norm_: each gradient is multiplied by min(1, maxNorm / (norm + 1e-6)).
 * Returns the total norm before clipping as a 0-d tensor, without reading it back; with
 * errorIfNonfinite it reads the norm (so it returns a Promise) and throws, leaving the gradients
 * as they were, when the norm is NaN or infinite.
 */
export function clipGradNorm_(parameters: Iterable<Tensor> | Tensor, maxNorm: number, normType?: number, options?: { errorIfNonfinite?: false }): Tensor;
export function clipGradNorm_(parameters: Iterable<Tensor> | Tensor, maxNorm: number, normType: number, options: { errorIfNonfinite: true }): Promise<Tensor>;
export function clipGradNorm_(parameters: Iterable<Tensor> | Tensor, maxNorm: number, normType = 2, options: ClipGradNormOptions = {}): Tensor | Promise<Tensor> {
  checkOptions('clip_grad_norm_', options, ['errorIfNonfinite']);
  if (!(normType > 0)) throw new Error(`clipGradNorm_: normType must be a positive number or Infinity, found ${normType}`);
  const params = withGrad(parameters);
  if (params.length === 0) return options.errorIfNonfinite ? Promise.resolve(zeros([])) : zeros([]);
  const grads = params.map((p) => p.grad!);
  const device = grads[0].device;
  const other = grads.find((g) => g.device !== device);
  if (other) throw new Error(`Expected all tensors to be on the same device, but found at least two devices, ${device} and ${other.device}!`);
  const norm = noGrad(() => totalNorm(grads, normType));
  const scale = () =>
    noGrad(() => {
      const coef = norm.add(1e-6).pow(-1).mul(maxNorm);
      const clamped = clamp(coef, null, 1);
      for (const g of grads) {
        if (g.isContiguous()) mul_(g, clamped);
        else copyInto(g, g.mul(clamped));
      }
      coef.dispose();
      clamped.dispose();
    });
  if (!options.errorIfNonfinite) {
    scale();
    return norm;
  }
  return norm.item().then((value) => {
    if (!Number.isFinite(value)) {
      norm.dispose();
      throw new Error(
        `The total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped. ` +
          'To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`',
      );
    }
    scale();
    return norm;
  });
}

/** Clamps every gradient of `parameters` in place to [−clipValue, clipValue], like torch.nn.utils.clip_grad_value_. */
export function clipGradValue_(parameters: Iterable<Tensor> | Tensor, clipValue: number): void {
  for (const p of withGrad(parameters)) {
    noGrad(() => {
      const g = p.grad!;
      const clamped = clamp(g, -clipValue, clipValue);
      copyInto(g, clamped);
      clamped.dispose();
    });
  }
}
