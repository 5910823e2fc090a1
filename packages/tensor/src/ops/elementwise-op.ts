import { checkViewCurrent, isGradEnabled, record, type FusedBackwardFn } from '../autograd-hooks.ts';
import { scalarTensor } from '../creation.ts';
import { floatType, isFloating, promoteTypes, type DType } from '../dtype.ts';
import { Tensor } from '../tensor.ts';
import { run, type Compute, type Kernel } from './elementwise-kernel.ts';
import { sumToShape } from './reduce.ts';

/** A tensor, or a number or boolean standing for one (PyTorch's Scalar operands). */
export type Operand = Tensor | number | boolean;

/** What a backward rule reads: the operands (a number operand stays a number), the output, the number arguments. */
export interface Saved {
  x: Tensor;
  y: Tensor | number;
  z: Tensor;
  out: Tensor;
  attrs: readonly number[];
}

/** The gradient with respect to one operand, before it is summed to the operand's broadcast shape. */
export type GradRule = (g: Tensor, saved: Saved) => Tensor;

/** The result dtype and the type the kernel computes in, from the operands (numbers as numbers). */
export type Types = (op: string, operands: readonly (Tensor | number)[]) => { out: DType; compute: Compute };

/** One row of the elementwise table. */
export interface ElementwiseOp extends Kernel {
  arity: 1 | 2 | 3;
  types: Types;
  /** The op's number arguments with their defaults, in PyTorch's order: attr(0), attr(1), ... */
  attrs: readonly (readonly [name: string, fallback: number])[];
  /** Which of x, y, z and out the backward rules read. */
  save: readonly (keyof Omit<Saved, 'attrs'>)[];
  /** One rule per operand (undefined: that operand is not differentiable); absent: the op is not (comparisons, backward kernels). */
  grad?: readonly (GradRule | undefined)[];
  /** Backward rules fused with the node of the (only) input, by that node's name (see FusedBackwardFn). */
  fusedBackward?: Readonly<Record<string, FusedBackwardFn>>;
}

export type OpSpec = Omit<ElementwiseOp, 'name' | 'arity' | 'attrs' | 'save'> & {
  attrs?: Record<string, number>;
  save?: ElementwiseOp['save'];
};

const table = new Map<string, ElementwiseOp>();

/** Every row of the elementwise table, by name (tests iterate over it). */
export const ELEMENTWISE_OPS: ReadonlyMap<string, ElementwiseOp> = table;

/** Adds a row to the table (ops without a public function of their own: copies, where, clamp). */
export function define(name: string, arity: 1 | 2 | 3, spec: OpSpec): ElementwiseOp {
  if (table.has(name)) throw new Error(`internal: elementwise op ${name} defined twice`);
  const op: ElementwiseOp = { ...spec, name, arity, attrs: Object.entries(spec.attrs ?? {}), save: spec.save ?? [] };
  table.set(name, op);
  return op;
}

/** The number arguments of a call, defaults filled in. */
function attrsOf(op: ElementwiseOp, given: readonly (number | undefined)[]): number[] {
  if (given.length > op.attrs.length) {
    throw new TypeError(`${op.name}() takes ${op.attrs.length} number argument${op.attrs.length === 1 ? '' : 's'} after the tensor operands, found ${given.length}`);
  }
  return op.attrs.map(([name, fallback], i) => {
    const v = given[i] ?? fallback;
    if (typeof v !== 'number') throw new TypeError(`${op.name}(): argument '${name}' must be a number, found ${typeof v}`);
    return v;
  });
}

/** A unary op from its row: `name(x, ...attrs)`. */
export function unary(name: string, spec: OpSpec): (x: Tensor, ...attrs: (number | undefined)[]) => Tensor {
  const op = define(name, 1, spec);
  return (x, ...attrs) => apply(op, [x], attrs);
}

/** A binary op from its row: `name(a, b, ...attrs)`, either operand a tensor or a number. */
export function binary(name: string, spec: OpSpec): (a: Operand, b: Operand, ...attrs: (number | undefined)[]) => Tensor {
  const op = define(name, 2, spec);
  return (a, b, ...attrs) => apply(op, [a, b], attrs);
}

function operandValue(op: string, v: Operand): Tensor | number {
  if (typeof v === 'boolean') return Number(v);
  if (typeof v === 'number' || v instanceof Tensor) return v;
  throw new TypeError(`${op}(): expected a Tensor, a number or a boolean as operand, found ${v === null ? 'null' : typeof v}`);
}

/**
 * Runs a row on its operands and records it for autograd. A number second operand of a binary
 * op is passed to the kernel as a number; other number operands become 0-d tensors.
 */
export function apply(op: ElementwiseOp, operands: readonly Operand[], given: readonly (number | undefined)[] = []): Tensor {
  const values = operands.map((v) => operandValue(op.name, v));
  const like = values.find((v): v is Tensor => typeof v !== 'number');
  if (!like) throw new TypeError(`${op.name}(): expected at least one Tensor operand, found only numbers`);
  const attrs = attrsOf(op, given);
  const { out, compute } = op.types(op.name, values);
  const scalar = op.arity === 2 && typeof values[1] === 'number' ? values[1] : undefined;
  const tensors = values.map((v, i) => (typeof v !== 'number' ? v : i === 1 && scalar !== undefined ? null : scalarTensor(v, like)));
  const inputs = tensors.filter((t): t is Tensor => t !== null);
  const result = run(op, inputs, { out, compute, scalar, attrs });
  if (!op.grad) return result;
  return recordGrad(op, tensors, scalar, attrs, result);
}

/**
 * The gradient plumbing every row shares: only operands that require grad get a gradient, and
 * each is summed to its operand's (broadcast) shape.
 */
function recordGrad(op: ElementwiseOp, tensors: readonly (Tensor | null)[], scalar: number | undefined, attrs: readonly number[], out: Tensor): Tensor {
  const inputs = tensors.filter((t): t is Tensor => t !== null);
  if (!isGradEnabled()) return out;
  // record() makes the same check; the early return below must not skip it.
  for (const t of inputs) checkViewCurrent(t);
  if (!inputs.some((t) => t.requiresGrad)) return out;
  const ruleOf = tensors.flatMap((t, i) => (t === null ? [] : [op.grad![i]]));
  // An operand without a rule (where's condition) gets no gradient, as in PyTorch.
  const needs = inputs.map((t, i) => t.requiresGrad && ruleOf[i] !== undefined);
  const [x, y, z] = tensors;
  const named = { x, y, z, out };
  const saved = op.save.map((k) => named[k]).filter((t): t is Tensor => t !== null && t !== undefined);
  const gradName = op.name[0].toUpperCase() + op.name.slice(1);
  return record(gradName, inputs, out, saved, (g, kept) => {
    const s = { attrs, y: scalar } as Saved;
    let k = 0;
    for (const key of op.save) if (named[key]) (s as unknown as Record<string, Tensor>)[key] = kept[k++];
    return inputs.map((t, i) => (needs[i] ? sumToShape(ruleOf[i]!(g, s), t.shape) : null));
  }, op.fusedBackward && { rules: op.fusedBackward });
}

// ---- the dtype rules of the rows ----

function tensorDTypes(operands: readonly (Tensor | number)[]): DType[] {
  return operands.flatMap((v) => (typeof v === 'number' ? [] : [v.dtype]));
}

/** The dtype of an arithmetic result, as torch.result_type gives it here (bool counts as int32). */
function resultType(operands: readonly (Tensor | number)[]): DType {
  const asInt = (d: DType): DType => (d === 'bool' ? 'int32' : d);
  // Numbers alone give int32, or float32 if one is fractional (torch's default dtypes here).
  const dtypes = tensorDTypes(operands).map(asInt);
  let dtype = dtypes.length ? dtypes.reduce(promoteTypes) : 'int32';
  for (const v of operands) if (typeof v === 'number' && !(isFloating(dtype) || Number.isInteger(v))) dtype = floatType(dtype);
  return dtype;
}

function computeOf(dtype: DType): Compute {
  return isFloating(dtype) ? 'float32' : 'int32';
}

/** Arithmetic: the promoted type of the operands, computed in integers where it is one. */
export const promoted: Types = (_op, operands) => {
  const out = resultType(operands);
  return { out, compute: computeOf(out) };
};

/** Like `promoted` over the last two operands: where(cond, x, y); two bool tensors stay bool. */
export const selected: Types = (op, operands) => {
  const picked = operands.slice(1);
  if (picked.every((v) => typeof v !== 'number' && v.dtype === 'bool')) return { out: 'bool', compute: 'int32' };
  return promoted(op, picked);
};

/** Float results (true division, exp, ...): integer operands promote to float32. */
export const floating: Types = (_op, operands) => ({ out: floatType(...tensorDTypes(operands)), compute: 'float32' });

/** Float inputs only, as PyTorch's activation functions take. */
export const floatOnly: Types = (op, operands) => {
  const x = operands[0] as Tensor;
  if (!isFloating(x.dtype)) throw new TypeError(`${op}(): expected a floating point tensor, found dtype ${x.dtype}`);
  return floating(op, operands);
};

/** The input's own dtype (abs, floor, relu, ...). */
export const same: Types = (_op, [x]) => {
  const dtype = (x as Tensor).dtype;
  return { out: dtype, compute: computeOf(dtype) };
};

/** Comparisons: bool results, compared in the operands' promoted type. */
export const comparison: Types = (_op, operands) => ({ out: 'bool', compute: computeOf(resultType(operands)) });

/** Bool results of a float computation (isclose). */
export const floatComparison: Types = () => ({ out: 'bool', compute: 'float32' });
