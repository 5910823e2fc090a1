import { record } from '../autograd-hooks.ts';
import { empty } from '../alloc.ts';
import { floatType, isFloating, promoteTypes, type DType } from '../dtype.ts';
import { broadcastShapes, broadcastStrides, numel, sameShape } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { scalarTensor } from '../creation.ts';
import { checkSameDevice } from './checks.ts';
import { grid, launch, placeholder, wgslType } from './gpu.ts';
import { stridedIndices } from './strided.ts';
import { sumToShape } from './reduce.ts';

type Operand = Tensor | number;

/** The dims the kernel's shape and stride arrays hold. */
const MAX_DIMS = 8;
type Fn = (x: number, y: number, z: number) => number;

/**
 * Each elementwise op: its code in kernels/elementwise.wgsl and its CPU reference. `int` is the
 * reference on integer operands where it differs from `f` (JS numbers are doubles).
 */
const OPS = {
  copy: { code: 0, f: (x) => x },
  add: { code: 1, f: (x, y) => x + y },
  sub: { code: 2, f: (x, y) => x - y },
  mul: { code: 3, f: (x, y) => x * y, int: (x, y) => Math.imul(x, y) },
  div: { code: 4, f: (x, y) => x / y },
  neg: { code: 5, f: (x) => -x },
  exp: { code: 6, f: (x) => Math.exp(x) },
  log: { code: 7, f: (x) => Math.log(x) },
  sqrt: { code: 8, f: (x) => Math.sqrt(x) },
  pow: { code: 9, f: (x, y) => Math.pow(x, y) },
  relu: { code: 10, f: (x) => (x > 0 || Number.isNaN(x) ? x : 0) },
  maximum: { code: 11, f: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y)) },
  eq: { code: 12, f: (x, y) => (x === y ? 1 : 0) },
  gt: { code: 13, f: (x, y) => (x > y ? 1 : 0) },
  lt: { code: 14, f: (x, y) => (x < y ? 1 : 0) },
  where: { code: 15, f: (x, y, z) => (x !== 0 ? y : z) },
  reluBackward: { code: 16, f: (x, y) => (x > 0 ? y : 0) },
  ge: { code: 17, f: (x, y) => (x >= y ? 1 : 0) },
  ne: { code: 18, f: (x, y) => (x !== y ? 1 : 0) },
} satisfies Record<string, { code: number; f: Fn; int?: Fn }>;

type OpName = keyof typeof OPS;

interface RunOptions {
  out: DType;
  compute: 'float32' | 'int32';
  /** A number operand standing in for the second input. */
  scalar?: number;
  alpha?: number;
  /** Write into this (possibly strided) tensor instead of a new one. */
  into?: Tensor;
  /** The first input is `into` itself: read it from the output binding (a buffer cannot be bound twice for writing). */
  inplace?: boolean;
}

/** Runs one elementwise op over broadcast inputs, on the inputs' device. */
function run(op: OpName, inputs: readonly Tensor[], opts: RunOptions): Tensor {
  checkSameDevice(inputs);
  const broadcast = inputs.reduce<number[]>((s, t) => broadcastShapes(s, t.shape), []);
  const shape = opts.into ? checkWritable(opts.into, broadcast, inputs) : broadcast;
  const device = inputs[0].device;
  const out = opts.into ?? empty(shape, opts.out, device);
  const strides = inputs.map((t) => broadcastStrides(t.shape, t.strides, shape));
  const alpha = opts.alpha ?? 1;
  if (device.type === 'cpu') {
    const spec = OPS[op] as { f: Fn; int?: Fn };
    const fn = opts.compute === 'int32' ? (spec.int ?? spec.f) : spec.f;
    const arrays = inputs.map((t) => t.storage.array);
    const indices = inputs.map((t, i) => stridedIndices(shape, strides[i], t.offset));
    const dst = out.storage.array;
    const io = stridedIndices(shape, out.strides, out.offset);
    const [ia, ib, ic] = indices;
    const [a, b, c] = arrays;
    const scalar = opts.scalar;
    const scaled = alpha === 1 ? fn : (x: number, y: number, z: number) => fn(x, alpha * y, z);
    for (let i = 0; i < io.length; i++) {
      const y = scalar !== undefined ? scalar : b ? b[ib[i]] : 0;
      dst[io[i]] = scaled(a[ia[i]], y, c ? c[ic[i]] : 0);
    }
    return out;
  }
  // Unused slots are bound to some other input (never to `out`, which is bound for writing).
  const spare = opts.inplace ? (inputs[1] ?? placeholder(device)) : inputs[0];
  const [a, b = spare, c = spare] = opts.inplace ? [spare, ...inputs.slice(1)] : inputs;
  const [sa, sb = sa, sc = sa] = strides;
  const n = numel(shape);
  if (shape.length > MAX_DIMS) throw new Error(`tensors of more than ${MAX_DIMS} dims are not supported on webgpu (found ${shape.length})`);
  const params = {
    numel: n, ndim: shape.length,
    off_a: a.offset, off_b: b.offset, off_c: c.offset, off_out: out.offset,
    scalar_b: opts.scalar !== undefined ? 1 : 0,
    scalar_f32: opts.scalar ?? 0,
    scalar_i32: opts.compute === 'int32' ? (opts.scalar ?? 0) : 0,
    alpha_f: alpha,
    alpha_i: opts.compute === 'int32' ? alpha : 0,
    shape, str_a: sa, str_b: sb, str_c: sc, str_out: out.strides,
  };
  const template = {
    A: wgslType(a.dtype),
    B: wgslType(b.dtype),
    C: wgslType(c.dtype),
    OUT: wgslType(opts.out),
    T: opts.compute === 'float32' ? 'f32' : 'i32',
    FIRST: opts.inplace ? 'out' : 'a',
    INPLACE: opts.inplace ? 'true' : 'false',
  };
  if (n > 0) launch(op, { family: 'elementwise', template, constants: { OP: OPS[op].code } }, [a, b, c, out], params, grid(n));
  return out;
}

/** The shape an op writing into `into` runs over: into's own, which the inputs must broadcast to. */
function checkWritable(into: Tensor, inputShape: readonly number[], inputs: readonly Tensor[]): readonly number[] {
  checkSameDevice([into, ...inputs]);
  if (into.shape.some((d, i) => d > 1 && into.strides[i] === 0)) {
    throw new Error(
      'unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.',
    );
  }
  const shape = broadcastShapes(into.shape, inputShape);
  if (!sameShape(shape, into.shape)) {
    throw new RangeError(`output with shape [${into.shape.join(', ')}] doesn't match the broadcast shape [${shape.join(', ')}]`);
  }
  return into.shape;
}

/** The dtype of an arithmetic result (bool counts as int32 in arithmetic). */
function arithType(a: Tensor, b: Operand): DType {
  const ta = a.dtype === 'bool' ? 'int32' : a.dtype;
  if (typeof b === 'number') return !isFloating(ta) && Number.isInteger(b) ? ta : floatType(ta);
  return promoteTypes(ta, b.dtype === 'bool' ? 'int32' : b.dtype);
}

function computeOf(dtype: DType): 'float32' | 'int32' {
  return isFloating(dtype) ? 'float32' : 'int32';
}

/** The float type of an op's result on these operands (true division, exp, ...). */
function floatOf(a: Tensor, b?: Operand): DType {
  return floatType(a.dtype, typeof b === 'object' ? b.dtype : a.dtype);
}

/** A binary op with a tensor or a number as the second operand. */
function binary(op: OpName, a: Tensor, b: Operand, out: DType, compute: 'float32' | 'int32', alpha?: number): Tensor {
  if (typeof b === 'number') return run(op, [a], { out, compute, scalar: b, alpha });
  return run(op, [a, b], { out, compute, alpha });
}

function asTensor(x: Operand, like: Tensor): Tensor {
  return typeof x === 'number' ? scalarTensor(x, like) : x;
}

// ---- arithmetic ----

export function add(a: Operand, b: Operand, alpha = 1): Tensor {
  if (typeof a === 'number') return add(asTensor(a, b as Tensor), b, alpha);
  const dtype = arithType(a, b);
  const out = binary('add', a, b, dtype, computeOf(dtype), alpha);
  return record('Add', operands(a, b), out, [], (g) => [sumToShape(g, a.shape), gradOf(b, () => scale(g, alpha))]);
}

export function sub(a: Operand, b: Operand, alpha = 1): Tensor {
  if (typeof a === 'number') return sub(asTensor(a, b as Tensor), b, alpha);
  const dtype = arithType(a, b);
  const out = binary('sub', a, b, dtype, computeOf(dtype), alpha);
  return record('Sub', operands(a, b), out, [], (g) => [sumToShape(g, a.shape), gradOf(b, () => scale(g, -alpha))]);
}

export function mul(a: Operand, b: Operand): Tensor {
  if (typeof a === 'number') return mul(b as Tensor, a);
  const dtype = arithType(a, b);
  const out = binary('mul', a, b, dtype, computeOf(dtype));
  if (typeof b === 'number') return record('Mul', [a], out, [], (g) => [scale(g, b)]);
  return record('Mul', [a, b], out, [a, b], (g, [sa, sb]) => [
    a.requiresGrad ? sumToShape(mul(g, sb), a.shape) : null,
    b.requiresGrad ? sumToShape(mul(g, sa), b.shape) : null,
  ]);
}

export function div(a: Operand, b: Operand): Tensor {
  if (typeof a === 'number') return div(asTensor(a, b as Tensor), b);
  const out = binary('div', a, b, floatOf(a, b), 'float32');
  if (typeof b === 'number') return record('Div', [a], out, [], (g) => [scale(g, 1 / b)]);
  return record('Div', [a, b], out, [b, out], (g, [sb, sout]) => [
    a.requiresGrad ? sumToShape(div(g, sb), a.shape) : null,
    b.requiresGrad ? sumToShape(neg(div(mul(g, sout), sb)), b.shape) : null,
  ]);
}

export function pow(a: Operand, exponent: Operand): Tensor {
  if (typeof a === 'number') return pow(asTensor(a, exponent as Tensor), exponent);
  const out = binary('pow', a, exponent, floatOf(a, exponent), 'float32');
  if (typeof exponent === 'number') {
    return record('Pow', [a], out, [a], (g, [x]) => [exponent === 0 ? scale(g, 0) : mul(g, scale(pow(x, exponent - 1), exponent))]);
  }
  return record('Pow', [a, exponent], out, [a, exponent, out], (g, [x, e, y]) => [
    a.requiresGrad ? sumToShape(mul(g, mul(e, pow(x, sub(e, 1)))), a.shape) : null,
    // d/de x^e = x^e log x, taken as 0 where x == 0 and e >= 0, as PyTorch does.
    exponent.requiresGrad ? sumToShape(mul(g, where(eq(x, 0), 0, mul(y, log(x)))), exponent.shape) : null,
  ]);
}

export function maximum(a: Tensor, b: Tensor): Tensor {
  const dtype = arithType(a, b);
  const out = binary('maximum', a, b, dtype, computeOf(dtype));
  // Where a == b the gradient is split evenly, as in PyTorch.
  return record('Maximum', [a, b], out, [a, b], (g, [sa, sb]) => {
    const half = scale(g, 0.5);
    const tie = eq(sa, sb);
    return [
      a.requiresGrad ? sumToShape(where(gt(sa, sb), g, where(tie, half, 0)), a.shape) : null,
      b.requiresGrad ? sumToShape(where(lt(sa, sb), g, where(tie, half, 0)), b.shape) : null,
    ];
  });
}

// ---- unary ----

function unaryFloat(op: OpName, x: Tensor): Tensor {
  return run(op, [x], { out: floatOf(x), compute: 'float32' });
}

export function neg(x: Tensor): Tensor {
  if (x.dtype === 'bool') {
    throw new TypeError(
      'Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.',
    );
  }
  return record('Neg', [x], run('neg', [x], { out: x.dtype, compute: computeOf(x.dtype) }), [], (g) => [neg(g)]);
}

export function exp(x: Tensor): Tensor {
  const out = unaryFloat('exp', x);
  return record('Exp', [x], out, [out], (g, [y]) => [mul(g, y)]);
}

export function log(x: Tensor): Tensor {
  return record('Log', [x], unaryFloat('log', x), [x], (g, [sx]) => [div(g, sx)]);
}

export function sqrt(x: Tensor): Tensor {
  const out = unaryFloat('sqrt', x);
  return record('Sqrt', [x], out, [out], (g, [y]) => [div(g, scale(y, 2))]);
}

export function relu(x: Tensor): Tensor {
  const out = run('relu', [x], { out: x.dtype, compute: computeOf(x.dtype) });
  return record('Relu', [x], out, [out], (g, [y]) => [reluBackward(y, g)]);
}

/** g where y > 0, else 0: relu's backward in one kernel. */
export function reluBackward(y: Tensor, g: Tensor): Tensor {
  return run('reluBackward', [y, g], { out: floatOf(g), compute: 'float32' });
}

// ---- comparisons and selection (not differentiable) ----

function compare(op: OpName, a: Tensor, b: Operand): Tensor {
  return binary(op, a, b, 'bool', computeOf(arithType(a, b)));
}

export function eq(a: Tensor, b: Operand): Tensor {
  return compare('eq', a, b);
}

export function gt(a: Tensor, b: Operand): Tensor {
  return compare('gt', a, b);
}

export function lt(a: Tensor, b: Operand): Tensor {
  return compare('lt', a, b);
}

export function ge(a: Tensor, b: Operand): Tensor {
  return compare('ge', a, b);
}

/** x where cond is true, y elsewhere, broadcast together (torch.where). */
export function where(cond: Tensor, x: Operand, y: Operand): Tensor {
  const like = typeof x === 'number' ? (typeof y === 'number' ? cond : y) : x;
  const tx = asTensor(x, like);
  const ty = asTensor(y, like);
  const dtype = promoteTypes(tx.dtype, ty.dtype);
  const out = run('where', [cond, tx, ty], { out: dtype, compute: computeOf(dtype) });
  return record('Where', [tx, ty], out, [cond], (g, [c]) => [
    tx.requiresGrad ? sumToShape(where(c, g, 0), tx.shape) : null,
    ty.requiresGrad ? sumToShape(where(c, 0, g), ty.shape) : null,
  ]);
}

/** A copy (or a dtype conversion) of x into a new contiguous tensor. Not recorded. */
export function copyAs(x: Tensor, dtype: DType = x.dtype): Tensor {
  if (dtype === 'bool') return compare('ne', x, 0);
  return run('copy', [x], { out: dtype, compute: castCompute(x.dtype, dtype) });
}

/** dst += alpha·other in place (dst keeps its dtype), like Tensor.add_. Not recorded. */
export function add_(dst: Tensor, other: Operand, alpha = 1): Tensor {
  return inplace('add', dst, other, alpha);
}

/** dst *= other in place, like Tensor.mul_. Not recorded. */
export function mul_(dst: Tensor, other: Operand): Tensor {
  return inplace('mul', dst, other);
}

function inplace(op: OpName, dst: Tensor, other: Operand, alpha?: number): Tensor {
  const opts = { out: dst.dtype, compute: computeOf(dst.dtype), alpha, into: dst, inplace: true };
  if (typeof other === 'number') return run(op, [dst], { ...opts, scalar: other });
  return withSnapshot(other, dst, (src) => run(op, [dst, src], opts));
}

/** Copies src (broadcast) into the view dst, converting dtype: dst.copy_(src). Not recorded. */
export function copyInto(dst: Tensor, src: Tensor): Tensor {
  return withSnapshot(src, dst, (s) => run('copy', [s], { out: dst.dtype, compute: castCompute(s.dtype, dst.dtype), into: dst }));
}

/**
 * Runs fn on src, or on a copy of it when it shares dst's storage: an op must read its input as
 * it was, and WebGPU cannot bind one buffer for reading and writing in the same dispatch.
 */
function withSnapshot(src: Tensor, dst: Tensor, fn: (src: Tensor) => Tensor): Tensor {
  if (src.storage !== dst.storage) return fn(src);
  checkWritable(dst, src.shape, [src]);
  const copy = copyAs(src);
  try {
    return fn(copy);
  } finally {
    copy.dispose();
  }
}

/** Float when either side is float, so that float -> int truncates as in PyTorch. */
function castCompute(from: DType, to: DType): 'float32' | 'int32' {
  return isFloating(from) || isFloating(to) ? 'float32' : 'int32';
}

function scale(g: Tensor, factor: number): Tensor {
  return factor === 1 ? g : mul(g, factor);
}

function operands(a: Tensor, b: Operand): Tensor[] {
  return typeof b === 'number' ? [a] : [a, b];
}

function gradOf(b: Operand, grad: () => Tensor): Tensor | null {
  if (typeof b === 'number' || !b.requiresGrad) return null;
  return sumToShape(grad(), b.shape);
}
