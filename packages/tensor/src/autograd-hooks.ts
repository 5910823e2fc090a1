import { keep } from './memory.ts';
import type { Tensor } from './tensor.ts';

/**
 * What ops need from autograd, kept here so that @mini/tensor does not import @mini/autograd:
 * the grad mode, the node each differentiable op records, and a slot for the engine that
 * @mini/autograd installs to run backward.
 */
let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

export function setGradEnabled(enabled: boolean): boolean {
  const previous = gradEnabled;
  gradEnabled = enabled;
  return previous;
}

/** Computes the gradient of each input from the gradient of the output and the saved tensors. */
export type BackwardFn = (grad: Tensor, saved: readonly Tensor[]) => (Tensor | null)[];

/** One recorded op on the tape: like torch's grad_fn. */
export class GradFn {
  private saved: Tensor[] | null;
  private backwardFn: BackwardFn | null;

  constructor(
    readonly name: string,
    /** The op's inputs; null where the input needs no gradient. */
    readonly inputs: readonly (Tensor | null)[],
    saved: readonly Tensor[],
    backwardFn: BackwardFn,
  ) {
    // Kept out of any tidy() scope: the tape owns them until backward (or release) frees them.
    this.saved = saved.map((t) => keep(t.detach()));
    this.backwardFn = backwardFn;
  }

  get released(): boolean {
    return this.backwardFn === null;
  }

  apply(grad: Tensor): (Tensor | null)[] {
    if (!this.backwardFn || !this.saved) {
      throw new Error(
        'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). ' +
          'Saved intermediate values of the graph are freed when you call .backward(). ' +
          'Specify retainGraph: true if you need to backward through the graph a second time.',
      );
    }
    return this.backwardFn(grad, this.saved);
  }

  /** Frees the saved tensors; a later apply() throws PyTorch's second-backward error. */
  release(): void {
    for (const t of this.saved ?? []) t.dispose();
    this.saved = null;
    this.backwardFn = null;
  }

  toString(): string {
    return `<${this.name}Backward>`;
  }
}

/**
 * Attaches a GradFn to `output` when grad mode is on and some input requires grad.
 * `saved` are the tensors backward reads; they outlive tidy() scopes until backward has run.
 */
export function record(name: string, inputs: readonly Tensor[], output: Tensor, saved: readonly Tensor[], backward: BackwardFn): Tensor {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) return output;
  output.gradFn = new GradFn(name, inputs.map((t) => (t.requiresGrad ? t : null)), saved, backward);
  output.requiresGrad = true;
  return output;
}

export type BackwardEngine = (root: Tensor, gradient: Tensor | undefined, options: { retainGraph: boolean }) => void;
let engine: BackwardEngine | null = null;

export function installBackwardEngine(e: BackwardEngine): void {
  engine = e;
}

export function runBackward(root: Tensor, gradient: Tensor | undefined, options: { retainGraph: boolean }): void {
  if (!engine) throw new Error("backward() needs the autograd engine: import '@mini/autograd' (or '@mini/nn') once");
  engine(root, gradient, options);
}
