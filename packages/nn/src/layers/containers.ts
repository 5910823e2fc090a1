import { Module } from '../module.ts';

/** The index into `length` items that `index` names (negative counts from the end), or PyTorch's error. */
function position(index: number, length: number): number {
  if (!Number.isInteger(index) || index < -length || index >= length) throw new RangeError(`index ${index} is out of range`);
  return index < 0 ? index + length : index;
}

/**
 * A list of modules registered as children 0, 1, ..., like nn.ModuleList: their parameters belong
 * to the owner. It has no forward: iterate over it in the owner's forward.
 */
export class ModuleList extends Module {
  private size = 0;

  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  /** The number of modules, like len(list). */
  get length(): number {
    return this.size;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): Module {
    return this.get(position(index, this.size));
  }

  /** Replaces the module at `index`. */
  set(index: number, module: Module): void {
    this.registerModule(String(position(index, this.size)), module);
  }

  /** Adds `module` at the end, like list.append. */
  append(module: Module): this {
    this.registerModule(String(this.size), module);
    this.size++;
    return this;
  }

  /** Adds `modules` at the end in order, like list.extend. */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts `module` before `index` (PyTorch's insert: an index past either end clamps to it). */
  insert(index: number, module: Module): void {
    const at = Math.min(Math.max(index < 0 ? index + this.size : index, 0), this.size);
    const list = [...this];
    list.splice(at, 0, module);
    this.replaceAll(list);
  }

  /** Removes the module at `index` and renumbers the rest, like `del list[index]`. */
  delete(index: number): Module {
    const list = [...this];
    const [removed] = list.splice(position(index, this.size), 1);
    this.replaceAll(list);
    return removed;
  }

  /** The modules in order. */
  *[Symbol.iterator](): Iterator<Module> {
    for (let i = 0; i < this.size; i++) yield this.get(i);
  }

  private get(i: number): Module {
    return (this as unknown as Record<string, Module>)[String(i)];
  }

  private replaceAll(list: readonly Module[]): void {
    for (let i = 0; i < this.size; i++) delete (this as unknown as Record<string, Module>)[String(i)];
    this.size = 0;
    this.extend(list);
  }
}

/**
 * Modules by name, registered as children in insertion order, like nn.ModuleDict. It has no
 * forward: pick modules by key in the owner's forward.
 */
export class ModuleDict extends Module {
  private readonly names: string[] = [];

  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    this.update(modules);
  }

  /** The number of modules, like len(dict). */
  get length(): number {
    return this.names.length;
  }

  /** The module under `key`, or PyTorch's KeyError. */
  get(key: string): Module {
    if (!this.has(key)) throw new RangeError(`KeyError: '${key}'`);
    return (this as unknown as Record<string, Module>)[key];
  }

  /** Registers `module` under `key` (replacing any module there), like dict[key] = module. */
  set(key: string, module: Module): this {
    if (typeof key !== 'string') throw new TypeError(`module name should be a string. Got ${typeof key}`);
    this.registerModule(key, module);
    if (!this.names.includes(key)) this.names.push(key);
    return this;
  }

  /** Whether a module is registered under `key`, like `key in dict`. */
  has(key: string): boolean {
    return this.names.includes(key);
  }

  /** Removes the module under `key` and returns it, like pop(key). */
  pop(key: string): Module {
    const m = this.get(key);
    delete (this as unknown as Record<string, Module>)[key];
    this.names.splice(this.names.indexOf(key), 1);
    return m;
  }

  /** Removes every module. */
  clear(): void {
    for (const key of [...this.names]) this.pop(key);
  }

  /** Adds or replaces modules from an object or [key, module] pairs. */
  update(modules: Record<string, Module> | Iterable<[string, Module]>): this {
    const entries = Symbol.iterator in modules ? [...(modules as Iterable<[string, Module]>)] : Object.entries(modules);
    for (const [key, m] of entries) this.set(key, m);
    return this;
  }

  /** The keys in insertion order. */
  keys(): string[] {
    return [...this.names];
  }

  /** The modules in insertion order. */
  values(): Module[] {
    return this.names.map((k) => this.get(k));
  }

  /** The [key, module] pairs in insertion order. */
  items(): [string, Module][] {
    return this.names.map((k) => [k, this.get(k)]);
  }

  /** The keys in insertion order, like iterating a dict. */
  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }
}
