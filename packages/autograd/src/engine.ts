import {
  add_,
  installBackwardEngine,
  keep,
  onesLike,
  setGradEnabled,
  tidy,
  clone,
  type Device,
  type GradFn,
  type Tensor,
} from '@mini/tensor';

const unitSeeds = new WeakMap<Device, Map<string, Tensor>>();

/**
 * The implicit gradient of a one-element root: ones, kept per device, dtype and shape, so that a
 * training step's backward() records no fill (one dispatch fewer). Shared safely: the engine
 * never writes into a gradient it hands on, and a leaf given it takes a copy (see accumulate).
 */
function unitSeed(root: Tensor): Tensor {
  let seeds = unitSeeds.get(root.device);
  if (!seeds) unitSeeds.set(root.device, (seeds = new Map()));
  const key = `${root.dtype}:${root.shape.join(',')}`;
  let seed = seeds.get(key);
  if (!seed) seeds.set(key, (seed = keep(onesLike(root))));
  return seed;
}

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

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function checkGradient(root: Tensor, gradient: Tensor | undefined): void {
  if (!root.requiresGrad) throw new Error('element 0 of tensors does not require grad and does not have a grad_fn');
  if (gradient === undefined && root.numel() !== 1) throw new Error('grad can be implicitly created only for scalar outputs');
  if (gradient && !sameShape(gradient.shape, root.shape)) {
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
      const seed = gradient ?? unitSeed(root);
      const leafGrads = new Map<Tensor, Tensor>();
      const pending = new Map<GradFn, Tensor>();
      const plus = (sum: Tensor | undefined, g: Tensor) => (sum ? sum.add(g) : g);
      const flow = (input: Tensor, g: Tensor): void => {
        if (input.gradFn) pending.set(input.gradFn, plus(pending.get(input.gradFn), g));
        else leafGrads.set(input, plus(leafGrads.get(input), g));
      };
      flow(root, seed);
      if (root.gradFn) {
        for (const node of topologicalOrder(root.gradFn)) {
          const grad = pending.get(node);
          pending.delete(node);
          const grads = grad ? node.apply(grad) : [];
          node.inputs.forEach((input, i) => {
            const g = grads[i];
            if (input && g) flow(input, validGradient(node, i, input, g));
          });
          if (!retainGraph) node.release();
        }
      }
      // Leaves are written only once every node has run: a gradient handed to a leaf may also be
      // pending for a node not yet run, and accumulating into it in place would corrupt that one.
      const claimed = new Set<unknown>([seed.storage]);
      for (const [leaf, g] of leafGrads) accumulate(leaf, g, claimed);
    });
  } finally {
    setGradEnabled(previous);
  }
}

/**
 * g as the gradient of input: its shape must be input's, and a float64 gradient of a float32 input
 * (which took part in float64 arithmetic) is cast down, as PyTorch does. A float32 gradient of a
 * float64 input can only come from a backward rule that lost precision: an error.
 */
function validGradient(node: GradFn, index: number, input: Tensor, g: Tensor): Tensor {
  const invalid = `Function ${node.name}Backward returned an invalid gradient at index ${index}`;
  if (!sameShape(g.shape, input.shape)) {
    throw new Error(`${invalid} - got [${g.shape}] but expected shape compatible with [${input.shape}]`);
  }
  if (g.dtype === input.dtype) return g;
  if (input.dtype === 'float32' && g.dtype === 'float64') return g.to('float32');
  throw new TypeError(`${invalid} - expected dtype ${input.dtype} but got ${g.dtype}`);
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
