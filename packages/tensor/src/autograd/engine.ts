import { checkViewCurrent, setGradEnabled, type GradFn, type GradHook } from '../autograd-hooks.ts';
import type { Device } from '../device/device.ts';
import { keep, tidy } from '../memory.ts';
import { sameShape } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { onesLike } from '../creation.ts';
import { add_ } from '../ops/elementwise.ts';
import { clone } from '../ops/views.ts';
import { checkOptions } from '../options.ts';

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

/** GradFn nodes reachable from the roots, each after every node that feeds it a gradient. */
function topologicalOrder(roots: readonly GradFn[]): GradFn[] {
  const order: GradFn[] = [];
  const seen = new Set<GradFn>(roots);
  // Iterative DFS: graphs can be deeper than the JS stack.
  const stack: [GradFn, number][] = roots.map((r) => [r, 0]);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [node, i] = top;
    if (i < node.next.length) {
      top[1]++;
      const next = node.next[i];
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

/** The gradient each root starts from: the one given, or 1 for a one-element root. */
function seedsOf(roots: readonly Tensor[], gradients: readonly (Tensor | null | undefined)[]): Tensor[] {
  if (gradients.length !== roots.length) {
    throw new RangeError(`grad_tensors should have the same length as tensors: found ${gradients.length} gradients for ${roots.length} tensors`);
  }
  return roots.map((root, i) => {
    const gradient = gradients[i] ?? undefined;
    if (!root.requiresGrad) throw new Error(`element ${i} of tensors does not require grad and does not have a grad_fn`);
    checkViewCurrent(root);
    if (gradient === undefined && root.numel() !== 1) throw new Error('grad can be implicitly created only for scalar outputs');
    if (gradient && !sameShape(gradient.shape, root.shape)) {
      throw new RangeError(`Mismatch in shape: grad_output[${i}] has a shape of [${gradient.shape}] and output[${i}] has a shape of [${root.shape}].`);
    }
    return gradient ?? unitSeed(root);
  });
}

/** The tensors autograd.grad differentiates with respect to, by where their gradient arrives. */
interface Targets {
  leaves: Set<Tensor>;
  nodes: Set<GradFn>;
}

/** What one run of the engine produced: summed gradients by leaf, and by node (its output's gradient). */
interface Gradients {
  leaves: Map<Tensor, Tensor>;
  nodes: Map<GradFn, Tensor>;
}

/** The nodes that must run for the gradients of the targets: those with a path to one of them. */
function neededNodes(order: readonly GradFn[], targets: Targets): Set<GradFn> {
  const needed = new Set<GradFn>();
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k];
    const reaches = node.next.some((next, i) => {
      if (next) return targets.nodes.has(next) || needed.has(next);
      const input = node.inputs[i];
      return input !== null && targets.leaves.has(input);
    });
    if (reaches) needed.add(node);
  }
  return needed;
}

/** How many gradients flow into each node: one per edge from a node that may run, one per root. */
function consumerCounts(order: readonly GradFn[], roots: readonly Tensor[]): Map<GradFn, number> {
  const counts = new Map<GradFn, number>();
  const count = (node: GradFn | null) => node && counts.set(node, (counts.get(node) ?? 0) + 1);
  for (const root of roots) count(root.gradFn);
  for (const node of order) node.next.forEach(count);
  return counts;
}

/**
 * The node whose backward `node`'s fused rule may run together with its own: the node of its only
 * input, when `node` is the only consumer of that gradient and nothing else may see it (a hook, a
 * retainGrad, an autograd.grad target): the gradient in between is then never made.
 */
function fusablePartner(node: GradFn, consumers: Map<GradFn, number>, targets: Targets | null): GradFn | null {
  const inner = node.next.length === 1 ? node.next[0] : null;
  if (!inner || !node.fusion.rules?.[inner.name] || consumers.get(inner) !== 1) return null;
  if (inner.hooks.length > 0 || inner.retainsGradOf !== null || targets?.nodes.has(inner)) return null;
  return inner;
}

/**
 * Reverse-mode differentiation from the roots: runs each recorded node's backward once all the
 * gradients flowing into it are summed (after the hooks on its output), and returns the summed
 * gradients of the leaves and of the nodes reached. With targets (autograd.grad), only the nodes
 * on a path to a target run. Saved tensors are freed unless retainGraph is set. Grad mode is off.
 */
function run(roots: readonly Tensor[], seeds: readonly Tensor[], retainGraph: boolean, targets: Targets | null): Gradients {
  const leaves = new Map<Tensor, Tensor>();
  const nodes = new Map<GradFn, Tensor>();
  const plus = (sum: Tensor | undefined, g: Tensor) => (sum ? sum.add(g) : g);
  const flow = (edge: GradFn | null, input: Tensor, g: Tensor): void => {
    if (edge) nodes.set(edge, plus(nodes.get(edge), g));
    else leaves.set(input, plus(leaves.get(input), g));
  };
  roots.forEach((root, i) => flow(root.gradFn, root, seeds[i]));
  const order = topologicalOrder(roots.flatMap((r) => (r.gradFn ? [r.gradFn] : [])));
  const needed = targets ? neededNodes(order, targets) : null;
  const consumers = consumerCounts(order, roots);
  for (const node of order) {
    if (needed && !needed.has(node)) continue;
    // A node whose backward ran in its consumer's fused rule receives no gradient: it is skipped.
    let grad = nodes.get(node);
    if (grad) {
      grad = runHooks(node.hooks, grad);
      nodes.set(node, grad);
      const inner = fusablePartner(node, consumers, targets);
      const fused = inner ? node.applyFused(grad, inner) : null;
      const ran = fused ? inner! : node;
      const grads = fused ?? node.apply(grad);
      ran.inputs.forEach((input, i) => {
        const g = grads[i];
        if (input && g) flow(ran.next[i], input, validGradient(ran, i, input, g));
      });
    }
    if (!retainGraph) node.release();
  }
  // A target node that did not have to run still has its gradient summed.
  for (const node of targets?.nodes ?? []) {
    const grad = nodes.get(node);
    if (grad && needed && !needed.has(node)) nodes.set(node, runHooks(node.hooks, grad));
  }
  return { leaves, nodes };
}

function listOf<T>(x: T | readonly T[]): readonly T[] {
  return Array.isArray(x) ? (x as readonly T[]) : [x as T];
}

function runHooks(hooks: readonly GradHook[], grad: Tensor): Tensor {
  for (const hook of hooks) {
    const replaced = hook(grad);
    if (!replaced) continue;
    const name = hook.name || 'hook';
    if (!sameShape(replaced.shape, grad.shape)) throw new Error(`hook '${name}' has changed the size of value`);
    if (replaced.dtype !== grad.dtype) throw new TypeError(`hook '${name}' has changed the type of value (was ${grad.dtype} got ${replaced.dtype})`);
    grad = replaced;
  }
  return grad;
}

/** Runs fn with grad mode off, inside a tidy scope that frees every temporary it does not return. */
function quietly<T>(fn: () => T): T {
  const previous = setGradEnabled(false);
  try {
    return tidy(fn);
  } finally {
    setGradEnabled(previous);
  }
}

/**
 * Computes the gradients of roots (with the given gradients, 1 for one-element roots) and
 * accumulates them into the .grad of the leaves that require grad, and of the tensors that
 * retainGrad(), like torch.autograd.backward. Every temporary is freed at the end; the saved
 * tensors too unless retainGraph is set.
 */
export function backward(
  roots: Tensor | readonly Tensor[],
  gradients?: Tensor | readonly (Tensor | null | undefined)[] | null,
  options: { retainGraph?: boolean } = {},
): void {
  checkOptions('backward', options, ['retainGraph']);
  const { retainGraph = false } = options;
  const rootList = listOf(roots);
  const seeds = seedsOf(rootList, gradients ? listOf(gradients) : rootList.map(() => undefined));
  quietly(() => {
    const { leaves, nodes } = run(rootList, seeds, retainGraph, null);
    // Gradients are stored only once every node has run: a gradient handed to a leaf may also be
    // pending for a node not yet run, and accumulating into it in place would corrupt that one.
    const claimed = new Set<unknown>(seeds.map((s) => s.storage));
    for (const [leaf, g] of leaves) if (leaf.requiresGrad) accumulate(leaf, runHooks(leaf.leafHooks, g), claimed);
    for (const [node, g] of nodes) {
      const retainer = node.retainsGradOf;
      if (retainer && !retainer.isDisposed) accumulate(retainer, g, claimed);
    }
  });
}

/** Options of autograd.grad, as in torch.autograd.grad. */
export interface GradOptions {
  /** The gradient of each output (null or omitted: 1, for one-element outputs). */
  gradOutputs?: Tensor | readonly (Tensor | null | undefined)[] | null;
  /** Keep the saved tensors for another backward through the same graph. */
  retainGraph?: boolean;
  /** Record the backward pass for higher-order gradients: not supported (an error when true). */
  createGraph?: boolean;
  /** Give null for an input that the outputs do not depend on, instead of an error. */
  allowUnused?: boolean;
}

/**
 * The gradients of outputs with respect to inputs (leaves or not), like torch.autograd.grad:
 * returned, one per input, and accumulated into no .grad. Only the part of the graph between
 * them runs.
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], options: GradOptions = {}): (Tensor | null)[] {
  checkOptions('grad', options, ['gradOutputs', 'retainGraph', 'createGraph', 'allowUnused']);
  const { gradOutputs, retainGraph = false, createGraph = false, allowUnused = false } = options;
  if (createGraph) {
    throw new Error('autograd.grad: createGraph is not supported (backward rules read detached saved tensors, so their results would not be differentiable)');
  }
  const roots = listOf(outputs);
  const wrt = listOf(inputs);
  for (const x of wrt) if (!x.requiresGrad) throw new Error('One of the differentiated Tensors does not require grad');
  const seeds = seedsOf(roots, gradOutputs ? listOf(gradOutputs) : roots.map(() => undefined));
  const targets: Targets = { leaves: new Set(), nodes: new Set() };
  for (const x of wrt) {
    if (x.gradFn) targets.nodes.add(x.gradFn);
    else targets.leaves.add(x);
  }
  return quietly(() => {
    const { leaves, nodes } = run(roots, seeds, retainGraph, targets);
    const shared = new Set<unknown>(seeds.map((s) => s.storage));
    return wrt.map((x) => {
      const summed = x.gradFn ? nodes.get(x.gradFn) : leaves.get(x);
      if (!summed) {
        if (allowUnused) return null;
        throw new Error('One of the differentiated Tensors appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.');
      }
      const g = x.gradFn ? summed : runHooks(x.leafHooks, summed);
      // The caller owns what it gets: never one of the seeds, nor one tensor twice.
      const own = shared.has(g.storage) ? clone(g) : g;
      shared.add(own.storage);
      return own;
    });
  });
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

/** t.grad += g, in place as in PyTorch; the first gradient is kept (or copied if shared). */
function accumulate(t: Tensor, g: Tensor, claimed: Set<unknown>): void {
  if (t.grad) {
    add_(t.grad, g);
    return;
  }
  const own = g.isContiguous() && g.offset === 0 && g.dtype === t.dtype && !claimed.has(g.storage);
  const grad = own ? g : clone(g);
  claimed.add(grad.storage);
  t.grad = keep(grad);
}
