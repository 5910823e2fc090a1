import { checkViewCurrent, GradFn, isGradEnabled, type BackwardFn } from '../autograd-hooks.ts';
import type { Tensor } from '../tensor.ts';
import { copyAs } from '../ops/elementwise.ts';

/** How an in-place op is recorded for autograd; see runInPlace(). */
export interface InplaceOp {
  /** The op's name, as its gradFn shows it: 'Mul' gives `<MulBackward>`. */
  name: string;
  /** The op's other tensor operands (target excluded). */
  others?: readonly Tensor[];
  /**
   * What backward reads, as it is before the write: target itself (its old values) or operands
   * that share target's memory are copied first, others saved as they are.
   */
  saved?: readonly Tensor[];
  /** Gradients of [target before the write, ...others] from the gradient of target after it. */
  backward: BackwardFn;
}

/**
 * Runs `write`, which changes target's elements in place, as PyTorch runs an in-place op: it
 * bumps the version of target's storage (so that backward refuses tensors saved before the
 * write), refuses a leaf that requires grad (or a view of one) while grad mode is on, and, when
 * target or an operand requires grad, gives target a new gradFn whose first input is target's
 * old history. Every op that writes into an existing tensor goes through here. Returns target.
 */
export function runInPlace(target: Tensor, op: InplaceOp, write: () => void): Tensor {
  const others = op.others ?? [];
  if (isGradEnabled()) for (const t of others) checkViewCurrent(t);
  const recording = isGradEnabled() && (target.requiresGrad || others.some((t) => t.requiresGrad));
  if (recording) checkWritableByAutograd(target);
  // What shares target's memory is copied before the write (copyAs is not recorded).
  const copies = new Map<Tensor, Tensor>();
  if (recording) for (const t of op.saved ?? []) if (t.storage === target.storage && !copies.has(t)) copies.set(t, copyAs(t));
  let node: GradFn;
  try {
    write();
    target.storage.bumpVersion();
    if (!recording) return target;
    const inputs = [target.requiresGrad ? target : null, ...others.map((t) => (t.requiresGrad ? t : null))];
    // Built before target.gradFn changes: the node's first edge is target's history so far.
    node = new GradFn(op.name, inputs, (op.saved ?? []).map((t) => copies.get(t) ?? t), op.backward);
  } finally {
    // The node holds its own handles on them.
    for (const copy of copies.values()) copy.dispose();
  }
  // retainGrad() follows the tensor to its new history, as in PyTorch.
  if (target.gradFn?.retainsGradOf === target) {
    target.gradFn.retainsGradOf = null;
    node.retainsGradOf = target;
  }
  target.gradFn = node;
  target.requiresGrad = true;
  return target;
}

/**
 * Marks target as written in place by a kernel that autograd does not record, such as an
 * optimizer's update (PyTorch runs step() under no_grad): tensors saved before it are refused
 * by backward.
 */
export function markModified(target: Tensor): void {
  target.storage.bumpVersion();
}

function checkWritableByAutograd(target: Tensor): void {
  const base = target.viewOrigin?.base;
  if (target.isLeaf && target.requiresGrad && !base) {
    throw new Error('a leaf Variable that requires grad is being used in an in-place operation.');
  }
  if (!base) return;
  if (base.isLeaf && base.requiresGrad) {
    throw new Error('a view of a leaf Variable that requires grad is being used in an in-place operation.');
  }
  // PyTorch rewrites the base's history (CopySlices); mini refuses rather than lose gradients.
  throw new Error(
    'an in-place operation on a view is not supported by autograd when a tensor involved requires grad: ' +
      'write into the base tensor, or use the out-of-place op',
  );
}
