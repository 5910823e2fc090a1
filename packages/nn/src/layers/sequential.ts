import type { Tensor } from '@mini/tensor';
import * as F from '../functional.ts';
import { Module } from '../module.ts';
import { ReLU } from './activation.ts';
import { Linear } from './linear.ts';

/** True when m runs Linear's own forward (a subclass that overrides it is never fused). */
function isPlainLinear(m: Module | undefined): m is Linear {
  return m instanceof Linear && m.forward === Linear.prototype.forward;
}

function isPlainRelu(m: Module | undefined): boolean {
  return m instanceof ReLU && m.forward === ReLU.prototype.forward;
}

/**
 * Modules applied in order, named 0, 1, ... (or by the keys of an object), like nn.Sequential.
 * A Linear directly followed by a ReLU runs as one fused linear+ReLU kernel, with the same result.
 */
export class Sequential extends Module {
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    const [first] = modules;
    if (modules.length === 1 && !(first instanceof Module)) {
      for (const [name, m] of Object.entries(first)) this.registerModule(name, m);
    } else {
      (modules as Module[]).forEach((m, i) => this.registerModule(String(i), m));
    }
  }

  /** The number of modules, like len() of a torch Sequential. */
  get length(): number {
    return this.children().length;
  }

  /** The i-th module (negative counts from the end). */
  at(index: number): Module {
    const modules = this.children();
    const m = modules.at(index);
    if (!m || !Number.isInteger(index)) throw new RangeError(`index ${index} is out of range`);
    return m;
  }

  /** Adds `module` at the end, like torch's Sequential.append. */
  append(module: Module): this {
    this.registerModule(String(this.length), module);
    return this;
  }

  /** The modules in order: `for (const m of sequential)`. */
  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }

  forward(input: Tensor): Tensor {
    const modules = this.children();
    let x = input;
    for (let i = 0; i < modules.length; i++) {
      const m = modules[i];
      if (isPlainLinear(m) && isPlainRelu(modules[i + 1])) {
        x = F.linearRelu(x, m.weight, m.bias);
        i++;
      } else {
        x = m.forward(x) as Tensor;
      }
    }
    return x;
  }
}
