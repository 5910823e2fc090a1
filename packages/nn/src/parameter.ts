import { Tensor, keep } from '@mini/tensor';

/**
 * A tensor that is a module parameter, like torch.nn.Parameter: assigning one to a Module field
 * registers it. It shares `data`'s storage, requires grad by default and outlives tidy() scopes.
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(data.storage.retain(), data.shape, data.dtype, data.strides, data.offset);
    keep(this);
    if (requiresGrad) this.requiresGrad_(true);
  }

  /** `Parameter containing: ...`, as PyTorch prints one (shape, dtype, device). */
  toString(): string {
    return `Parameter(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, device='${this.device}'${this.requiresGrad ? '' : ', requiresGrad=false'})`;
  }
}

/** Whether `value` is a Parameter. */
export function isParameter(value: unknown): value is Parameter {
  return value instanceof Parameter;
}

/** A copy of t's data that no graph records and no tidy() scope frees (a detached clone). */
export function detachedCopy(t: Tensor): Tensor {
  const handle = t.detach();
  const copy = keep(handle.clone());
  handle.dispose();
  return copy;
}

/** A new Parameter holding a copy of p's data (and of its grad), with the same requiresGrad. */
export function copyParameter(p: Parameter): Parameter {
  const data = detachedCopy(p);
  const copy = new Parameter(data, p.requiresGrad);
  data.dispose();
  if (p.grad) copy.grad = detachedCopy(p.grad);
  return copy;
}
