import { keep, zeros, type Device, type Tensor, type TypedArray } from '@mini/tensor';
import { grid, launch } from '@mini/tensor/internal';

/** Bits of the kernel's `flags` (kernels/optim.wgsl). */
export const FLAGS = { maximize: 1, nesterov: 2, firstStep: 4, amsgrad: 8, centered: 16 } as const;

/** The per-step scalars of one update, computed on the host; fields an optimizer does not use stay 0. */
export interface Scalars {
  flags: number;
  lr: number;
  weightDecay: number;
  momentum: number;
  oneMinusDampening: number;
  beta1: number;
  beta2: number;
  oneMinusBeta1: number;
  oneMinusBeta2: number;
  eps: number;
  stepSize: number;
  biasCorrection2Sqrt: number;
  decayFactor: number;
  alpha: number;
  oneMinusAlpha: number;
}

export function scalars(values: Partial<Scalars>): Scalars {
  return {
    flags: 0,
    lr: 0,
    weightDecay: 0,
    momentum: 0,
    oneMinusDampening: 0,
    beta1: 0,
    beta2: 0,
    oneMinusBeta1: 0,
    oneMinusBeta2: 0,
    eps: 0,
    stepSize: 0,
    biasCorrection2Sqrt: 0,
    decayFactor: 0,
    alpha: 0,
    oneMinusAlpha: 0,
    ...values,
  };
}

export type Entry = 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad';

const dummies = new WeakMap<Device, Tensor[]>();

/** One-element buffers bound to the state slots an update does not use (one per slot: a written buffer may be bound once). */
function spares(device: Device): Tensor[] {
  let t = dummies.get(device);
  if (!t) dummies.set(device, (t = [0, 1, 2].map(() => keep(zeros([1], { device })))));
  return t;
}

/**
 * Records the fused update of `param` (in place) from `grad`, with its state tensors, as one
 * dispatch. `state` lists the kernel's slots a, b, c in order; an unused slot is undefined.
 */
export function launchUpdate(entry: Entry, param: Tensor, grad: Tensor, state: readonly (Tensor | undefined)[], s: Scalars): void {
  const n = param.numel();
  if (n === 0) return;
  const spare = spares(param.device);
  const [a = spare[0], b = spare[1], c = spare[2]] = state;
  const width = [n, param.offset, grad.offset, ...state.map((t) => t?.offset ?? 0)].every((v) => v % 4 === 0) ? 4 : 1;
  const params = {
    numel: n / width, off_param: param.offset / width, off_grad: grad.offset / width, flags: s.flags,
    lr: s.lr, weight_decay: s.weightDecay, momentum: s.momentum, one_minus_dampening: s.oneMinusDampening,
    beta1: s.beta1, beta2: s.beta2, one_minus_beta1: s.oneMinusBeta1, one_minus_beta2: s.oneMinusBeta2,
    eps: s.eps, step_size: s.stepSize, bias_correction2_sqrt: s.biasCorrection2Sqrt, decay_factor: s.decayFactor,
    alpha: s.alpha, one_minus_alpha: s.oneMinusAlpha,
  };
  const template = { T: width === 4 ? 'vec4<f32>' : 'f32' };
  launch(`optim.${entry}`, { family: 'optim', entry, template }, [param, grad, a, b, c], params, grid(n / width));
}

/** The arrays and offsets a CPU reference update reads and writes in place. */
export interface CpuOperands {
  n: number;
  x: TypedArray;
  xo: number;
  g: TypedArray;
  go: number;
  /** The state slots' arrays; an unused slot's is empty. */
  state: TypedArray[];
}

export function cpuOperands(param: Tensor, grad: Tensor, state: readonly (Tensor | undefined)[]): CpuOperands {
  return {
    n: param.numel(),
    x: param.storage.array,
    xo: param.offset,
    g: grad.storage.array,
    go: grad.offset,
    state: state.map((t) => t?.storage.array ?? new Float32Array(0)),
  };
}
