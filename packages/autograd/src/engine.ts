import {
  add_,
  installBackwardEngine,
  keep,
  onesLike,
  setGradEnabled,
  tidy,
  clone,
  type GradFn,
  type Tensor,
} from '@mini/tensor';

/** GradFn nodes reachable from root, each after every node that feeds it a gradient. */
function topologicalOrder(root: GradFn): GradFn[] {
  const order: GradFn[] = [];
  const seen = new Set<GradFn>();
  // Iterative DFS: graphs can be deeper than the JS stack.
  const stack: [GradFn, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [node, i] = top;
    if (i < node.inputs.length) {
      top[1]++;
      const next = node.inputs[i]?.gradFn;
      if (next && !seen.has(next)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order.reverse();
}

function checkGradient(root: Tensor, gradient: Tensor | undefined): void {
  if (!root.requiresGrad) throw new Error('element 0 of tensors does not require grad and does not have a grad_fn');
  if (gradient === undefined && root.numel() !== 1) throw new Error('grad can be implicitly created only for scalar outputs');
  if (gradient && (gradient.shape.length !== root.shape.length || gradient.shape.some((d, i) => d !== root.shape[i]))) {
    throw new RangeError(`Mismatch in shape: grad_output[0] has a shape of [${gradient.shape}] and output[0] has a shape of [${root.shape}].`);
  }
}

/**
 * Reverse-mode differentiation from root: runs each recorded node's backward once all the
 * gradients flowing into it are summed, and accumulates into the .grad of leaves that require
 * grad. Every temporary is freed at the end; the saved tensors too unless retainGraph is set.
 */
export function backward(root: Tensor, gradient: Tensor | undefined, { retainGraph }: { retainGraph: boolean }): void {
  checkGradient(root, gradient);
  const previous = setGradEnabled(false);
  try {
    tidy(() => {
      const seed = gradient ?? onesLike(root);
      const claimed = new Set<unknown>([seed.storage]);
      if (!root.gradFn) {
        accumulate(root, seed, claimed);
        return;
      }
      const pending = new Map<GradFn, Tensor>([[root.gradFn, seed]]);
      for (const node of topologicalOrder(root.gradFn)) {
        const grad = pending.get(node);
        pending.delete(node);
        if (!grad) continue;
        const grads = node.apply(grad);
        node.inputs.forEach((input, i) => {
          const g = grads[i];
          if (!input || !g) return;
          if (input.gradFn) {
            const sum = pending.get(input.gradFn);
            pending.set(input.gradFn, sum ? sum.add(g) : g);
          } else {
            accumulate(input, g, claimed);
          }
        });
        if (!retainGraph) node.release();
      }
    });
  } finally {
    setGradEnabled(previous);
  }
}

/** leaf.grad += g, in place as in PyTorch; the first gradient is kept (or copied if shared). */
function accumulate(leaf: Tensor, g: Tensor, claimed: Set<unknown>): void {
  if (!leaf.requiresGrad) return;
  if (leaf.grad) {
    add_(leaf.grad, g);
    return;
  }
  const own = g.isContiguous() && g.offset === 0 && g.dtype === leaf.dtype && !claimed.has(g.storage);
  const grad = own ? g : clone(g);
  claimed.add(grad.storage);
  leaf.grad = keep(grad);
}

installBackwardEngine(backward);
