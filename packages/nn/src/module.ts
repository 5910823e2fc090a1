import { copyInto, device as resolveDevice, isFloating, isTensor, keep, noGrad, DTYPES, type DeviceLike, type DType, type Tensor } from '@mini/tensor';
import { zeros_ } from './init.ts';
import { copyParameter, detachedCopy, isParameter, Parameter } from './parameter.ts';
import { matchStateDict, type LoadResult, type StateDict } from './state-dict.ts';

const INTERNAL = new Set<PropertyKey>(['_parameters', '_buffers', '_modules', '_nonPersistent']);

function typeName(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/** Indents every line but the first, like PyTorch's _addindent. */
function addIndent(text: string, spaces: number): string {
  const [first, ...rest] = text.split('\n');
  return rest.length ? [first, ...rest.map((line) => ' '.repeat(spaces) + line)].join('\n') : text;
}

function isDType(target: DeviceLike | DType): target is DType {
  return typeof target === 'string' && (DTYPES as readonly string[]).includes(target);
}

/**
 * Base class of every layer and model, like torch.nn.Module. Assigning a Parameter, a Module or
 * (for names registered with registerBuffer) a Tensor to a field registers it, so that
 * `fc1 = new Linear(784, 200)` in a subclass makes `fc1.weight` a parameter of the model.
 *
 * Registration works through a Proxy that the constructor returns; use ordinary (not `#private`)
 * fields in subclasses.
 */
export class Module {
  /** Whether the module is in training mode (see train() / eval()). */
  training = true;
  private _parameters = new Map<string, Parameter | null>();
  private _buffers = new Map<string, Tensor | null>();
  private _modules = new Map<string, Module | null>();
  private _nonPersistent = new Set<string>();

  constructor() {
    return new Proxy(this, Module.registrar);
  }

  private static registrar: ProxyHandler<Module> = {
    defineProperty(target, key, descriptor) {
      if (typeof key === 'string' && 'value' in descriptor) target.register(key, descriptor.value);
      return Reflect.defineProperty(target, key, descriptor);
    },
    deleteProperty(target, key) {
      if (typeof key === 'string') {
        target._parameters.delete(key);
        target._buffers.delete(key);
        target._modules.delete(key);
        target._nonPersistent.delete(key);
      }
      return Reflect.deleteProperty(target, key);
    },
  };

  /** What assigning `value` to the field `name` registers, with PyTorch's __setattr__ rules. */
  private register(name: string, value: unknown): void {
    if (isParameter(value)) {
      this._buffers.delete(name);
      this._modules.delete(name);
      this._parameters.set(name, value);
    } else if (this._parameters.has(name)) {
      if (value !== null) throw new TypeError(`cannot assign '${typeName(value)}' as parameter '${name}' (nn.Parameter or null expected)`);
      this._parameters.set(name, null);
    } else if (value instanceof Module) {
      this._buffers.delete(name);
      this._modules.set(name, value);
    } else if (this._modules.has(name)) {
      if (value !== null) throw new TypeError(`cannot assign '${typeName(value)}' as child module '${name}' (nn.Module or null expected)`);
      this._modules.set(name, null);
    } else if (this._buffers.has(name)) {
      if (value !== null && !isTensor(value)) throw new TypeError(`cannot assign '${typeName(value)}' as buffer '${name}' (Tensor or null expected)`);
      this._buffers.set(name, value);
    }
  }

  private checkName(kind: string, name: string): void {
    if (name === '' || name.includes('.')) throw new Error(`${kind} name can't contain "." and can't be empty, found '${name}'`);
    const existing = (this as Record<string, unknown>)[name];
    const registered = this._parameters.has(name) || this._buffers.has(name) || this._modules.has(name);
    // A declared but unset field (undefined or null) may still be registered.
    if (existing !== undefined && existing !== null && !registered) {
      throw new Error(`attribute '${name}' already exists`);
    }
  }

  /** Adds a parameter (or a null placeholder) under `name`, like register_parameter. */
  registerParameter(name: string, param: Parameter | null): void {
    this.checkName('parameter', name);
    if (param !== null && !isParameter(param)) {
      throw new TypeError(`cannot assign '${typeName(param)}' object to parameter '${name}' (nn.Parameter or null required)`);
    }
    this._parameters.set(name, null);
    (this as Record<string, unknown>)[name] = param;
  }

  /** Adds a tensor that is state but not a parameter (e.g. running statistics), like register_buffer. */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    this.checkName('buffer', name);
    if (tensor !== null && !isTensor(tensor)) {
      throw new TypeError(`cannot assign '${typeName(tensor)}' object to buffer '${name}' (Tensor or null required)`);
    }
    this._buffers.set(name, tensor === null ? null : keep(tensor));
    if (persistent) this._nonPersistent.delete(name);
    else this._nonPersistent.add(name);
    (this as Record<string, unknown>)[name] = tensor;
  }

  /** Adds a child module under `name`, like register_module / add_module. */
  registerModule(name: string, module: Module | null): void {
    this.checkName('module', name);
    if (module !== null && !(module instanceof Module)) throw new TypeError(`${typeName(module)} is not a Module subclass`);
    this._modules.set(name, null);
    (this as Record<string, unknown>)[name] = module;
  }

  // ---- computation ----

  /** The computation of this module; subclasses override it. */
  forward(..._args: unknown[]): unknown {
    throw new Error(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }

  /** Calls forward, like calling a torch module: `model.call(x)` is `model(x)`. */
  call(...args: Parameters<this['forward']>): ReturnType<this['forward']> {
    return this.forward(...args) as ReturnType<this['forward']>;
  }

  // ---- traversal ----

  /** (dotted name, module) for this module and every descendant, each module once. */
  namedModules(prefix = '', memo = new Set<Module>()): [string, Module][] {
    if (memo.has(this)) return [];
    memo.add(this);
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this._modules) {
      if (child) out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name, memo));
    }
    return out;
  }

  /** This module and every module below it, depth first, like torch's modules(). */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** The direct submodules with their attribute names, like torch's named_children(). */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    const out: [string, Module][] = [];
    for (const [name, child] of this._modules) {
      if (child && !seen.has(child)) {
        seen.add(child);
        out.push([name, child]);
      }
    }
    return out;
  }

  /** The direct submodules, like torch's children(). */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  private namedMembers<T extends Tensor>(members: (m: Module) => Map<string, T | null>, prefix: string, recurse: boolean): [string, T][] {
    const modules: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    const seen = new Set<T>();
    const out: [string, T][] = [];
    for (const [modulePrefix, module] of modules) {
      for (const [name, value] of members(module)) {
        if (!value || seen.has(value)) continue;
        seen.add(value);
        out.push([modulePrefix ? `${modulePrefix}.${name}` : name, value]);
      }
    }
    return out;
  }

  /** (dotted name, parameter) pairs: fc1.weight, fc1.bias, ... Shared parameters appear once. */
  namedParameters(prefix = '', recurse = true): [string, Parameter][] {
    return this.namedMembers((m) => m._parameters, prefix, recurse);
  }

  /** The parameters of this module (and of its submodules when `recurse`), like torch's parameters(). */
  parameters(recurse = true): Parameter[] {
    return this.namedParameters('', recurse).map(([, p]) => p);
  }

  /** The buffers with their dotted names, like torch's named_buffers(). */
  namedBuffers(prefix = '', recurse = true): [string, Tensor][] {
    return this.namedMembers((m) => m._buffers, prefix, recurse);
  }

  /** The buffers (state that is not a parameter), like torch's buffers(). */
  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, b]) => b);
  }

  /** Calls fn on every submodule (children first) and then on this module, like Module.apply. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  // ---- modes and gradients ----

  /** Sets training mode on this module and every descendant. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new TypeError('training mode is expected to be boolean');
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Sets evaluation mode, like train(false). */
  eval(): this {
    return this.train(false);
  }

  /** Turns gradient recording for every parameter on or off. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /**
   * Clears every parameter's gradient: disposes it when setToNone (the default, as in PyTorch 2),
   * else zeroes it in place.
   */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (!p.grad) continue;
      if (setToNone) {
        p.grad.dispose();
        p.grad = null;
      } else {
        zeros_(p.grad);
      }
    }
  }

  // ---- devices and dtypes ----

  /**
   * Moves (or casts, for a floating dtype) every parameter and buffer. Parameters that change are
   * replaced by new Parameter objects, so build optimizers after moving the model, as PyTorch advises.
   * webgpu -> cpu reads the GPU: use `await module.cpu()`.
   */
  to(target: DeviceLike | DType): this {
    const toCpu = !isDType(target) && resolveDevice(target).type === 'cpu';
    const moved = new Map<Tensor, Tensor>();
    const convert = <T extends Tensor>(t: T, wrap: (data: Tensor) => T): T => {
      if (isDType(target) && !isFloating(t.dtype)) return t;
      if (toCpu && t.device.type !== 'cpu') {
        throw new Error(`${this.constructor.name}.to('cpu'): reading webgpu tensors is asynchronous: use \`await module.cpu()\``);
      }
      let out = moved.get(t) as T | undefined;
      if (!out) {
        const handle = t.detach();
        const data = handle.to(target);
        handle.dispose();
        if (data === handle) {
          out = t; // already there
        } else {
          out = wrap(keep(data));
          if (out !== data) data.dispose();
        }
        moved.set(t, out);
      }
      return out;
    };
    this.replaceTensors(convert);
    return this;
  }

  /** Moves every parameter and buffer to the cpu device (reading the GPU), like module.cpu(). */
  async cpu(): Promise<this> {
    const copies = new Map<Tensor, Tensor>();
    for (const m of this.modules()) {
      const params = [...m._parameters.values()];
      for (const t of [...params, ...params.map((p) => p?.grad), ...m._buffers.values()]) {
        if (t && t.device.type !== 'cpu' && !copies.has(t)) copies.set(t, keep(await t.cpu()));
      }
    }
    this.replaceTensors((t, wrap) => {
      const data = copies.get(t);
      if (!data) return t;
      const out = wrap(data);
      if (out !== data) data.dispose();
      return out;
    });
    return this;
  }

  /** Replaces each parameter (with its grad) and buffer by convert's result, keeping shared ones shared. */
  private replaceTensors(convert: <T extends Tensor>(t: T, wrap: (data: Tensor) => T) => T): void {
    const parameters = new Map<Parameter, Parameter>();
    for (const m of this.modules()) {
      for (const [name, p] of m._parameters) {
        if (!p) continue;
        let replacement = parameters.get(p);
        if (!replacement) {
          replacement = convert(p, (data) => new Parameter(data, p.requiresGrad));
          if (replacement !== p && p.grad) replacement.grad = convert(p.grad, (g) => g);
          parameters.set(p, replacement);
        }
        if (replacement !== p) (m as unknown as Record<string, unknown>)[name] = replacement;
      }
      for (const [name, b] of m._buffers) {
        if (b) (m as unknown as Record<string, unknown>)[name] = convert(b, (data) => data);
      }
    }
  }

  // ---- state ----

  /**
   * Parameters and persistent buffers by dotted name, as detached tensors that share the
   * module's memory, like state_dict(). Layouts are PyTorch's (Linear weight is [out, in]).
   */
  stateDict(prefix = ''): StateDict {
    const sd: StateDict = {};
    for (const [name, t] of this.stateEntries(prefix)) sd[name] = t.detach();
    return sd;
  }

  private stateEntries(prefix = ''): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [name, p] of this._parameters) if (p) out.set(prefix + name, p);
    for (const [name, b] of this._buffers) if (b && !this._nonPersistent.has(name)) out.set(prefix + name, b);
    for (const [name, child] of this._modules) {
      if (child) for (const [key, t] of child.stateEntries(`${prefix}${name}.`)) out.set(key, t);
    }
    return out;
  }

  /**
   * Copies a state dict into this module's parameters and buffers in place, like
   * load_state_dict. Shapes must match; with strict (the default) the keys must match exactly.
   * Nothing is copied when an error is raised.
   */
  loadStateDict(stateDict: StateDict, { strict = true }: { strict?: boolean } = {}): LoadResult {
    const { pairs, result } = matchStateDict(this.constructor.name, this.stateEntries(), stateDict, strict);
    for (const [target, source] of pairs) {
      // Cast on the source's device first: float64 exists on the cpu device only.
      const cast = source.to(target.dtype);
      const moved = cast.to(target.device);
      noGrad(() => copyInto(target, moved));
      if (cast !== source) cast.dispose();
      if (moved !== cast) moved.dispose();
    }
    return result;
  }

  /**
   * A deep copy: new parameters, buffers and submodules holding copies of the data (like
   * copy.deepcopy(model)); the copy shares no memory with the original.
   */
  deepCopy(memo: Map<object, unknown> = new Map()): this {
    const done = memo.get(this);
    if (done) return done as this;
    const raw = Object.create(Object.getPrototypeOf(this)) as Module;
    raw._parameters = new Map([...this._parameters.keys()].map((k) => [k, null]));
    raw._buffers = new Map([...this._buffers.keys()].map((k) => [k, null]));
    raw._modules = new Map([...this._modules.keys()].map((k) => [k, null]));
    raw._nonPersistent = new Set(this._nonPersistent);
    const copy = new Proxy(raw, Module.registrar) as this;
    memo.set(this, copy);
    for (const key of Reflect.ownKeys(this)) {
      if (INTERNAL.has(key)) continue;
      const descriptor: PropertyDescriptor = Reflect.getOwnPropertyDescriptor(this, key)!;
      if ('value' in descriptor) descriptor.value = deepCopyValue(descriptor.value, memo);
      Reflect.defineProperty(copy, key, descriptor);
    }
    return copy;
  }

  /** Frees the memory of every parameter, gradient and buffer now; the module is unusable after. */
  dispose(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.dispose();
    }
    for (const b of this.buffers()) b.dispose();
  }

  // ---- printing ----

  /** The text inside the parentheses of this module's printed form, like extra_repr. */
  extraRepr(): string {
    return '';
  }

  /** PyTorch's printed form: `NNModule(\n  (fc1): Linear(in_features=784, ...)\n)`. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines = [...this._modules].map(([name, m]) => `(${name}): ${addIndent(m ? m.toString() : 'None', 2)}`);
    const lines = [...extraLines, ...childLines];
    let text = `${this.constructor.name}(`;
    if (extraLines.length === 1 && childLines.length === 0) text += extraLines[0];
    else if (lines.length) text += `\n  ${lines.join('\n  ')}\n`;
    return `${text})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function deepCopyValue(value: unknown, memo: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const done = memo.get(value);
  if (done !== undefined) return done;
  let copy: unknown;
  if (isParameter(value)) copy = copyParameter(value);
  else if (value instanceof Module) return value.deepCopy(memo);
  else if (isTensor(value)) copy = detachedCopy(value);
  else if (Array.isArray(value)) copy = value.map((v) => deepCopyValue(v, memo));
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    copy = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepCopyValue(v, memo)]));
  } else return value;
  memo.set(value, copy);
  return copy;
}
