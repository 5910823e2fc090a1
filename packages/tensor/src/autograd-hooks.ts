import { keep } from './memory.ts';
import type { Tensor } from './tensor.ts';

/**
 * What ops need from autograd: the grad mode, and the node each differentiable op records.
 * The engine that runs backward over these nodes is in autograd/engine.ts.
 */
let gradEnabled = true;

/** Whether ops are being recorded for autograd (off inside noGrad), like torch.is_grad_enabled. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Turns recording on or off and returns the previous mode, like torch.set_grad_enabled. */
export function setGradEnabled(enabled: boolean): boolean {
  const previous = gradEnabled;
  gradEnabled = enabled;
  return previous;
}

/** Computes the gradient of each input from the gradient of the output and the saved tensors. */
export type BackwardFn = (grad: Tensor, saved: readonly Tensor[]) => (Tensor | null)[];

/**
 * The backward rule of a node and of the node of its input run as one (a fused kernel instead of
 * two): from the gradient of the outer node's output, its saved tensors and the inner node (its
 * `attrs`, its `savedTensors()`), the gradients of the inner node's inputs; null declines.
 */
export type FusedBackwardFn = (grad: Tensor, saved: readonly Tensor[], inner: GradFn) => (Tensor | null)[] | null;

/** What a node offers a fused backward: facts about its op, and rules for it and its input's node. */
export interface Fusion {
  /** Facts about the op that a consumer's fused rule reads (LogSoftmax's dim, Linear's backward after a ReLU). */
  attrs?: Readonly<Record<string, unknown>>;
  /** Fused rules by the name of the input's node. */
  rules?: Readonly<Record<string, FusedBackwardFn>>;
}

/** A gradient hook: returns a replacement gradient, or nothing to keep the one it was given. */
export type GradHook = (grad: Tensor) => Tensor | void;

/** A tensor saved for backward: a handle on its storage, and the version it had when saved. */
interface Saved {
  handle: Tensor;
  version: number;
  /** The node whose output it is, if any (to name it in the version error). */
  producer: GradFn | null;
}

/** One recorded op on the tape: like torch's grad_fn. */
export class GradFn {
  /**
   * Where each input's gradient goes: the node that produced the input when this op ran (null
   * for a leaf or an input that needs no gradient). Taken at record time, so that an in-place op
   * that later gives an input a new gradFn does not reroute this op's gradient through itself.
   */
  readonly next: readonly (GradFn | null)[];
  /** Hooks on the gradient of this node's output, run before the node (Tensor.registerHook). */
  readonly hooks: GradHook[] = [];
  /** The tensor whose .grad keeps this node's output gradient (Tensor.retainGrad()). */
  retainsGradOf: Tensor | null = null;
  /**
   * Facts and fused rules (see FusedBackwardFn): the engine runs rules[inner.name] instead of this
   * node's and its input node's backward when this node is the only consumer of that input's
   * gradient and nothing observes it (no hook, no retainGrad, not an autograd.grad target).
   */
  readonly fusion: Fusion;
  private saved: Saved[] | null;
  private backwardFn: BackwardFn | null;
  /** Live tensors made by this op, plus unreleased nodes that take one of them as input. */
  private holders = 0;
  private readonly inputNodes: GradFn[];

  constructor(
    readonly name: string,
    /** The op's inputs; null where the input needs no gradient. */
    readonly inputs: readonly (Tensor | null)[],
    saved: readonly Tensor[],
    backwardFn: BackwardFn,
    /** The tensor this op writes (to name it in errors); it has no gradFn of its own yet. */
    output?: Tensor,
    fusion: Fusion = {},
  ) {
    this.fusion = fusion;
    this.next = inputs.map((t) => t?.gradFn ?? null);
    // Kept out of any tidy() scope: the tape owns them until backward (or release) frees them.
    this.saved = saved.map((t) => ({
      handle: keep(t.detach()),
      version: t.storage.version,
      producer: t === output ? this : t.gradFn,
    }));
    this.backwardFn = backwardFn;
    // The inputs' nodes as they are now (an in-place op later gives its tensor a new one).
    this.inputNodes = inputs.flatMap((t) => (t?.gradFn ? [t.gradFn] : []));
    for (const node of this.inputNodes) node.hold();
  }

  /** A tensor (or a node) that can reach this node starts holding it. */
  hold(): void {
    this.holders++;
  }

  /**
   * Its holder is gone (a tensor disposed or collected, a node released): when nothing can reach
   * this node any more, backward never will, so what it saved is freed now, as PyTorch frees it.
   */
  drop(): void {
    if (--this.holders > 0) return;
    this.release();
    for (const node of this.inputNodes) node.drop();
  }

  get released(): boolean {
    return this.backwardFn === null;
  }

  apply(grad: Tensor): (Tensor | null)[] {
    const saved = this.savedTensors();
    return this.backwardFn!(grad, saved);
  }

  /** The fused rule for this node and `inner` run as one (see `fusion`), or null when there is none or it declines. */
  applyFused(grad: Tensor, inner: GradFn): (Tensor | null)[] | null {
    const rule = this.fusion.rules?.[inner.name];
    return rule ? rule(grad, this.savedTensors(), inner) : null;
  }

  /** The saved tensors, checked: refused after release (a second backward) or when one was changed in place since. */
  savedTensors(): Tensor[] {
    if (!this.backwardFn || !this.saved) {
      throw new Error(
        'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). ' +
          'Saved intermediate values of the graph are freed when you call .backward(). ' +
          'Specify retainGraph: true if you need to backward through the graph a second time.',
      );
    }
    for (const s of this.saved) {
      const version = s.handle.storage.version;
      if (version !== s.version) {
        throw new Error(
          `one of the variables needed for gradient computation has been modified by an inplace operation: ${describeSaved(s)} ` +
            `is at version ${version}; expected version ${s.version} instead.`,
        );
      }
    }
    return this.saved.map((s) => s.handle);
  }

  /** Frees the saved tensors; a later apply() throws PyTorch's second-backward error. */
  release(): void {
    for (const s of this.saved ?? []) s.handle.dispose();
    this.saved = null;
    this.backwardFn = null;
  }

  toString(): string {
    return `<${this.name}Backward>`;
  }
}

/** A saved tensor as PyTorch's message names it: `[float32 [2, 3]], which is output 0 of MulBackward,`. */
function describeSaved({ handle, producer }: Saved): string {
  const own = `[${handle.dtype} [${handle.shape.join(', ')}]]`;
  return producer ? `${own}, which is output 0 of ${producer.name}Backward,` : own;
}

/**
 * Refuses a tensor whose view relationship autograd can no longer follow: a view taken of a
 * base that an in-place op then gave a new history. PyTorch regenerates such a view's grad_fn;
 * mini does not, and using the view would silently lose the in-place op's gradient.
 */
export function checkViewCurrent(t: Tensor): void {
  const origin = t.viewOrigin;
  if (origin && origin.base.gradFn !== origin.baseGradFn) {
    throw new Error(
      `a view of a tensor was used after an in-place operation changed its base's autograd history (base now has ${origin.base.gradFn}); ` +
        'mini cannot update the view (PyTorch would): take the view again after the in-place operation',
    );
  }
}

/**
 * Attaches a GradFn to `output` when grad mode is on and some input requires grad.
 * `saved` are the tensors backward reads; they outlive tidy() scopes until backward has run,
 * and backward refuses to run if one of them was changed in place in the meantime.
 */
export function record(name: string, inputs: readonly Tensor[], output: Tensor, saved: readonly Tensor[], backward: BackwardFn, fusion?: Fusion): Tensor {
  if (!gradEnabled) return output;
  for (const t of inputs) checkViewCurrent(t);
  if (!inputs.some((t) => t.requiresGrad)) return output;
  output.gradFn = new GradFn(name, inputs.map((t) => (t.requiresGrad ? t : null)), saved, backward, output, fusion);
  output.requiresGrad = true;
  return output;
}
