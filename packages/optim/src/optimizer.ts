import { copyInto, fill_, flushAtScopeEnd, full, isFloating, isTensor, keep, markModified, tidy, zeros, type Tensor } from '@mini/tensor';
import { warn } from '@mini/tensor/internal';
import { cpuOperands, launchUpdates, type CpuOperands, type PendingUpdate, type Update } from './fused.ts';

/** The hyperparameters every optimizer has. */
export interface Hyperparameters {
  /** The learning rate. */
  lr: number;
}

/** A parameter group: its parameters and its hyperparameters (initialLr is set by LR schedulers). */
export type ParamGroup<H> = H & {
  /** The group's parameters. */
  params: Tensor[];
  /** The lr when an LR scheduler was first made for it. */
  initialLr?: number;
};

/** A parameter group as given to an optimizer: its parameters, and any hyperparameters of its own. */
export type ParamGroupInput<H> = Partial<H> & {
  /** The group's parameters (e.g. model.fc1.parameters()). */
  params: Iterable<Tensor> | Tensor;
};

/** Parameters (e.g. model.parameters()) or parameter groups with their own hyperparameters. */
export type ParamsInput<H> = Iterable<Tensor> | Iterable<ParamGroupInput<H>>;

/** One parameter's state: step counts and tensors (momentumBuffer, expAvg, ...). */
export type ParamState = Record<string, Tensor | number>;

/** Like torch.optim's state_dict: state by parameter index, and groups listing parameter indices. */
export interface OptimizerStateDict<H = Hyperparameters> {
  /** Each parameter's state (momentum buffers, Adam's moments), by the parameter's index. */
  state: Record<number, ParamState>;
  /** The groups' hyperparameters, their parameters as indices. */
  paramGroups: (H & {
    /** The group's parameters, as indices into `state`. */
    params: number[];
    /** The lr when an LR scheduler was first made for it. */
    initialLr?: number;
  })[];
}

function typeName(value: unknown): string {
  return value === null ? 'null' : typeof value === 'object' ? ((value as object).constructor?.name ?? 'object') : typeof value;
}

/** A tensor holding a copy of t's data, on like's device and (for floating state) in like's dtype, kept past tidy() scopes. */
function stateCopy(t: Tensor, like: Tensor): Tensor {
  return keep(
    tidy(() => {
      const data = t.detach();
      const cast = isFloating(data.dtype) ? data.to(like.dtype) : data;
      return cast.to(like.device).clone();
    }),
  );
}

/**
 * Base class of the optimizers, like torch.optim.Optimizer. step() updates every parameter that
 * has a gradient: on webgpu with fused kernel dispatches (one per parameter; SGD's take three)
 * and no readback, on the cpu device with the reference loop.
 */
export abstract class Optimizer<H extends Hyperparameters = Hyperparameters> {
  /** The parameter groups, each with its own hyperparameters, as torch's param_groups. */
  readonly paramGroups: ParamGroup<H>[] = [];
  /** Per-parameter state, created at the parameter's first step. */
  readonly state = new Map<Tensor, ParamState>();
  /** Calls of step() so far (LR schedulers warn when they step before the optimizer does). */
  stepCount = 0;

  constructor(
    params: ParamsInput<H>,
    /** The hyperparameters a group takes when it does not set its own. */
    readonly defaults: H,
  ) {
    if (isTensor(params)) {
      throw new TypeError('params argument given to the optimizer should be an iterable of Tensors or dicts, but got Tensor');
    }
    const list = [...(params as Iterable<Tensor | ParamGroupInput<H>>)];
    if (list.length === 0) throw new Error('optimizer got an empty parameter list');
    // As in PyTorch, the first element tells a list of groups from a list of tensors.
    const first = list[0];
    const isGroups = typeof first === 'object' && first !== null && !isTensor(first);
    const groups = isGroups ? (list as ParamGroupInput<H>[]) : [{ params: list } as unknown as ParamGroupInput<H>];
    for (const group of groups) this.addParamGroup(group);
  }

  /** Adds a group of parameters with their own hyperparameters (the defaults fill the rest). */
  addParamGroup(group: ParamGroupInput<H>): void {
    if (!group || typeof group !== 'object' || !('params' in group)) {
      throw new TypeError(`param group must be an object with 'params', found ${typeName(group)}`);
    }
    const params = isTensor(group.params) ? [group.params] : [...group.params];
    for (const p of params) {
      if (!isTensor(p)) throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${typeName(p)}`);
      if (!p.isLeaf) throw new Error("can't optimize a non-leaf Tensor");
    }
    const merged: Record<string, unknown> = { ...(this.defaults as unknown as Record<string, unknown>) };
    for (const [key, value] of Object.entries(group)) if (value !== undefined) merged[key] = value;
    merged.params = params;
    for (const key of Object.keys(this.defaults)) {
      if (merged[key] === undefined) {
        throw new Error(`parameter group didn't specify a value of required optimization parameter ${key}`);
      }
    }
    if (new Set(params).size !== params.length) {
      warn('optimizer contains a parameter group with duplicate parameters; in future, this will cause an error');
    }
    const existing = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => existing.has(p))) throw new Error('some parameters appear in more than one parameter group');
    const full = merged as unknown as ParamGroup<H>;
    this.validate(full);
    this.paramGroups.push(full);
  }

  /** Throws PyTorch's error for an invalid hyperparameter. */
  protected abstract validate(group: ParamGroup<H>): void;

  /** Creates missing state, advances step counts, and returns the update of one parameter. */
  protected abstract prepare(param: Tensor, group: ParamGroup<H>, state: ParamState): Update;

  /** The cpu device's update: the same arithmetic as the kernel entry, on host arrays. */
  protected abstract reference(operands: CpuOperands, update: Update): void;

  /** Clears every parameter's gradient: disposes it when setToNone (the default), else zeroes it. */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (!p.grad) continue;
        if (setToNone) {
          p.grad.dispose();
          p.grad = null;
        } else if (p.grad.isContiguous()) {
          fill_(p.grad, 0);
        } else {
          const zero = zeros([], { dtype: p.grad.dtype, device: p.grad.device });
          copyInto(p.grad, zero);
          zero.dispose();
        }
      }
    }
  }

  /**
   * One optimization step over every parameter that has a gradient. Reads nothing back; submits
   * the step's GPU work (when the tidy() scope around it closes, if any: its freed tensors let the
   * submit fuse more), so that each training step is one submit and its buffers (and so its
   * cached bind groups) repeat from step to step.
   */
  step(): void {
    const pending: PendingUpdate[] = [];
    const copies: Tensor[] = [];
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad) this.updateParameter(p, p.grad, group, pending, copies);
      }
    }
    launchUpdates(pending);
    for (const copy of copies) copy.dispose();
    this.stepCount++;
    flushAtScopeEnd();
  }

  /** Updates p on the cpu, or adds its update to `pending` (webgpu), with any copy of its gradient made for the kernel to `copies`. */
  private updateParameter(p: Tensor, grad: Tensor, group: ParamGroup<H>, pending: PendingUpdate[], copies: Tensor[]): void {
    if (!p.isContiguous()) throw new Error(`${this.constructor.name}: parameters must be contiguous (found shape [${p.shape}] with strides [${p.strides}])`);
    if (grad.device !== p.device || grad.dtype !== p.dtype || grad.shape.some((d, i) => d !== p.shape[i]) || grad.ndim !== p.ndim) {
      throw new Error(
        `${this.constructor.name}: a parameter of shape [${p.shape}] (${p.dtype}, ${p.device}) has a gradient of shape [${grad.shape}] (${grad.dtype}, ${grad.device})`,
      );
    }
    // The kernel reads the gradient and writes the parameter: they must be distinct, contiguous buffers.
    const g = grad.isContiguous() && grad.storage !== p.storage ? grad : tidy(() => grad.detach().clone());
    let state = this.state.get(p);
    if (!state) this.state.set(p, (state = {}));
    const update = this.prepare(p, group, state);
    if (p.device.type === 'cpu') this.reference(cpuOperands(p, g, update.state), update);
    else pending.push({ param: p, grad: g, update });
    markModified(p);
    if (g !== grad) copies.push(g);
  }

  /** A state tensor shaped like the parameter, filled with `value` (zeros by default), created on first use. */
  protected stateTensor(state: ParamState, key: string, like: Tensor, value = 0): { tensor: Tensor; created: boolean } {
    const existing = state[key];
    if (isTensor(existing)) return { tensor: existing, created: false };
    const tensor = keep(full(like.shape, value, { dtype: like.dtype, device: like.device }));
    state[key] = tensor;
    return { tensor, created: true };
  }

  /**
   * The optimizer's state by parameter index (counting across groups, as PyTorch does) and its
   * groups' hyperparameters. Tensors are detached handles sharing the optimizer's memory.
   */
  stateDict(): OptimizerStateDict<H> {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map(({ params, ...hyper }) => ({
      ...(hyper as unknown as H),
      params: params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      }),
    }));
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, isTensor(v) ? v.detach() : v]));
    }
    return { state, paramGroups };
  }

  /** Restores state and hyperparameters saved by stateDict(), copying the tensors to each parameter's device. */
  loadStateDict(stateDict: OptimizerStateDict<H>): void {
    const saved = stateDict.paramGroups;
    if (saved.length !== this.paramGroups.length) {
      throw new Error(`loaded state dict has a different number of parameter groups (${saved.length}, expected ${this.paramGroups.length})`);
    }
    saved.forEach((g, i) => {
      if (g.params.length !== this.paramGroups[i].params.length) {
        throw new Error(
          `loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group ${i}: ${g.params.length} parameters, expected ${this.paramGroups[i].params.length})`,
        );
      }
    });
    const byIndex = new Map<number, Tensor>();
    saved.forEach((g, i) => g.params.forEach((id, j) => byIndex.set(id, this.paramGroups[i].params[j])));
    const next = new Map<Tensor, ParamState>();
    for (const [id, s] of Object.entries(stateDict.state)) {
      const p = byIndex.get(Number(id));
      if (!p) continue;
      next.set(p, Object.fromEntries(Object.entries(s).map(([k, v]) => [k, isTensor(v) ? stateCopy(v, p) : v])));
    }
    for (const s of this.state.values()) for (const v of Object.values(s)) if (isTensor(v)) v.dispose();
    this.state.clear();
    for (const [p, s] of next) this.state.set(p, s);
    saved.forEach(({ params: _ids, ...hyper }, i) => {
      const group = this.paramGroups[i];
      Object.assign(group, hyper);
    });
  }
}
