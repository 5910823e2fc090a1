import { keep, zeros, type Device, type Tensor, type TypedArray } from '@mini/tensor';
import { grid, launch, stridingGrid } from '@mini/tensor/internal';

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

/** One parameter's update as an optimizer prepares it: its kernel entry, state tensors (slots a, b, c; unused undefined) and scalars. */
export interface Update {
  entry: Entry;
  state: (Tensor | undefined)[];
  scalars: Scalars;
}

/** A parameter, its gradient and its prepared update, to be launched. */
export interface PendingUpdate {
  param: Tensor;
  grad: Tensor;
  update: Update;
}

const dummies = new WeakMap<Device, Tensor[]>();

/** `count` distinct one-element buffers for the slots an update does not use (a written buffer may be bound once). */
function spares(device: Device, count: number): Tensor[] {
  let t = dummies.get(device);
  if (!t) dummies.set(device, (t = []));
  while (t.length < count) t.push(keep(zeros([1], { device })));
  return t;
}

/** Parameters sgd.wgsl updates in one dispatch. */
const SGD_SLOTS = 3;

/**
 * Records the updates (webgpu), in place: SGD's three parameters a dispatch (sgd.wgsl), the
 * others one dispatch each (optim.wgsl). An SGD group holds parameters of equal hyperparameters
 * and, as WebGPU wants of one dispatch, distinct buffers.
 */
export function launchUpdates(pending: readonly PendingUpdate[]): void {
  const groups: PendingUpdate[][] = [];
  for (const u of pending) {
    if (u.param.numel() === 0) continue;
    if (u.update.entry !== 'sgd') launchUpdate(u);
    else {
      const group = groups.find((g) => g.length < SGD_SLOTS && fitsWith(g, u));
      if (group) group.push(u);
      else groups.push([u]);
    }
  }
  for (const group of groups) launchSgd(group);
}

function buffersOf(u: PendingUpdate): { written: Set<unknown>; all: Set<unknown> } {
  const written = [u.param, ...u.update.state].filter((t) => t !== undefined).map((t) => t.storage);
  return { written: new Set(written), all: new Set([...written, u.grad.storage]) };
}

/** Whether u can join SGD group g: the same hyperparameters (flags are per slot), the same vector width, and no buffer of one written by the other. */
function fitsWith(g: readonly PendingUpdate[], u: PendingUpdate): boolean {
  const [a, b] = [u.update.scalars, g[0].update.scalars];
  const same = a.lr === b.lr && a.weightDecay === b.weightDecay && a.momentum === b.momentum && a.oneMinusDampening === b.oneMinusDampening;
  if (!same || vectorWidth(g[0]) !== vectorWidth(u)) return false;
  const mine = buffersOf(u);
  return g.every((other) => {
    const theirs = buffersOf(other);
    return ![...mine.written].some((s) => theirs.all.has(s)) && ![...theirs.written].some((s) => mine.all.has(s));
  });
}

/** 4 where every operand's length and offset are multiples of 4 (the kernels then read vec4<f32>), else 1. */
function vectorWidth({ param, grad, update }: PendingUpdate): number {
  return [param.numel(), param.offset, grad.offset, ...update.state.map((t) => t?.offset ?? 0)].every((v) => v % 4 === 0) ? 4 : 1;
}

/** One dispatch of sgd.wgsl over up to three parameters. */
function launchSgd(group: readonly PendingUpdate[]): void {
  const width = vectorWidth(group[0]);
  const spare = spares(group[0].param.device, 3 * SGD_SLOTS);
  const slots = Array.from({ length: SGD_SLOTS }, (_, k) => group[k]);
  const buffers = slots.flatMap((u, k) => (u ? [u.param, u.grad, u.update.state[0] ?? spare[3 * k + 2]] : spare.slice(3 * k, 3 * k + 3)));
  const s = group[0].update.scalars;
  const params = {
    numel: slots.map((u) => (u ? u.param.numel() / width : 0)),
    off_param: slots.map((u) => (u ? u.param.offset / width : 0)),
    off_grad: slots.map((u) => (u ? u.grad.offset / width : 0)),
    flags: slots.map((u) => u?.update.scalars.flags ?? 0),
    lr: s.lr, weight_decay: s.weightDecay, momentum: s.momentum, one_minus_dampening: s.oneMinusDampening,
  };
  const total = group.reduce((n, u) => n + u.param.numel() / width, 0);
  const template = { T: width === 4 ? 'vec4<f32>' : 'f32', MOMENTUM: String(s.momentum !== 0) };
  launch('optim.sgd', { family: 'sgd', template }, buffers, params, stridingGrid(total));
}

/** Records the fused update of one parameter (in place) from its gradient, with its state tensors, as one dispatch of optim.wgsl. */
function launchUpdate({ param, grad, update }: PendingUpdate): void {
  const n = param.numel();
  const spare = spares(param.device, 3);
  const [a = spare[0], b = spare[1], c = spare[2]] = update.state;
  const width = vectorWidth({ param, grad, update });
  const s = update.scalars;
  const params = {
    numel: n / width, off_param: param.offset / width, off_grad: grad.offset / width, flags: s.flags,
    lr: s.lr, weight_decay: s.weightDecay, momentum: s.momentum, one_minus_dampening: s.oneMinusDampening,
    beta1: s.beta1, beta2: s.beta2, one_minus_beta1: s.oneMinusBeta1, one_minus_beta2: s.oneMinusBeta2,
    eps: s.eps, step_size: s.stepSize, bias_correction2_sqrt: s.biasCorrection2Sqrt, decay_factor: s.decayFactor,
    alpha: s.alpha, one_minus_alpha: s.oneMinusAlpha,
  };
  const template = { T: width === 4 ? 'vec4<f32>' : 'f32' };
  launch(`optim.${update.entry}`, { family: 'optim', entry: update.entry, template }, [param, grad, a, b, c], params, grid(n / width));
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
