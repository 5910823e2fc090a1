// The elementwise table: one row per op, each holding its WGSL expression (spliced into
// kernels/elementwise.wgsl; anything longer than a line is a function there), its CPU reference
// and its backward rules. Each row is the op's public function. elementwise-op.ts turns rows into
// functions (dtype rules, gradient plumbing), elementwise-kernel.ts runs them (kernel and CPU
// reference); the tests iterate over ELEMENTWISE_OPS.
import type { Tensor } from '../tensor.ts';
import { fromArray, zerosLike } from '../creation.ts';
import { isFloating, type DType } from '../dtype.ts';
import * as m from './cpu-math.ts';
import { checkWritable, run, type Compute } from './elementwise-kernel.ts';
import { checkOptions } from '../options.ts';
import { runInPlace } from '../autograd/inplace.ts';
import { sumToShape } from './reduce.ts';
import { sameShape } from '../shape.ts';
import { gpuItemSize } from '../storage.ts';
import {
  apply,
  binary,
  define,
  ELEMENTWISE_OPS,
  comparison,
  floatComparison,
  floating,
  floatOnly,
  promoted,
  same,
  selected,
  unary,
  type ElementwiseOp,
  type Operand,
} from './elementwise-op.ts';

export type { Operand } from './elementwise-op.ts';

const isNaN = Number.isNaN;
const zero = (g: Tensor) => zerosLike(g);

// ---- arithmetic ----

/** a + alpha·b, broadcast, like torch.add. */
export const add = binary('add', {
  types: promoted,
  attrs: { alpha: 1 },
  wgsl: 'x + attr(0) * y',
  cpu: (x, y, _, [alpha]) => x + alpha * y,
  grad: [(g) => g, (g, { attrs: [alpha] }) => scale(g, alpha)],
});

/** a − alpha·b, broadcast, like torch.sub. */
export const sub = binary('sub', {
  types: promoted,
  attrs: { alpha: 1 },
  wgsl: 'x - attr(0) * y',
  cpu: (x, y, _, [alpha]) => x - alpha * y,
  grad: [(g) => g, (g, { attrs: [alpha] }) => scale(g, -alpha)],
});

/** a·b, broadcast, like torch.mul (int32 wraps around on overflow). */
export const mul = binary('mul', {
  types: promoted,
  wgsl: 'x * y',
  cpu: (x, y) => x * y,
  cpuInt: (x, y) => Math.imul(x, y),
  save: ['x', 'y'],
  grad: [(g, { y }) => mul(g, y), (g, { x }) => mul(g, x)],
});

/** True division a / b (integers divide into float32), like torch.div. */
export const div = binary('div', {
  types: floating,
  wgsl: 'x / y',
  cpu: (x, y) => x / y,
  save: ['y', 'out'],
  grad: [(g, { y }) => div(g, y), (g, { y, out }) => neg(div(mul(g, out), y))],
});

/** a to the power b, like torch.pow (exact for integer exponents, NaN for negative bases with fractional ones). */
export const pow = binary('pow', {
  types: floating,
  wgsl: 'pow_f32(x, y)',
  cpu: (x, y) => Math.pow(x, y),
  save: ['x', 'y', 'out'],
  grad: [
    (g, { x, y }) => (y === 0 ? zero(g) : mul(g, mul(pow(x, typeof y === 'number' ? y - 1 : sub(y, 1)), y))),
    // d/db a^b = a^b log a, taken as 0 where a == 0, as PyTorch does.
    (g, { x, out }) => mul(g, where(eq(x, 0), 0, mul(out, log(x)))),
  ],
});

/** The elementwise maximum (NaN wins), like torch.maximum; ties share the gradient evenly. */
export const maximum = binary('maximum', {
  types: promoted,
  wgsl: 'select(max(x, y), x + y, is_nan(x) || is_nan(y))',
  wgslInt: 'max(x, y)',
  cpu: (x, y) => (isNaN(x) || isNaN(y) ? NaN : Math.max(x, y)),
  save: ['x', 'y'],
  grad: [(g, { x, y }) => tieSplit(g, gt(x, y), x, y), (g, { x, y }) => tieSplit(g, lt(x, y), x, y)],
});

/** The elementwise minimum (NaN wins), like torch.minimum; ties share the gradient evenly. */
export const minimum = binary('minimum', {
  types: promoted,
  wgsl: 'select(min(x, y), x + y, is_nan(x) || is_nan(y))',
  wgslInt: 'min(x, y)',
  cpu: (x, y) => (isNaN(x) || isNaN(y) ? NaN : Math.min(x, y)),
  save: ['x', 'y'],
  grad: [(g, { x, y }) => tieSplit(g, lt(x, y), x, y), (g, { x, y }) => tieSplit(g, gt(x, y), x, y)],
});

/** g where this operand wins, g/2 where the two tie, else 0. */
function tieSplit(g: Tensor, wins: Tensor, x: Tensor, y: Tensor | number): Tensor {
  return where(wins, g, where(eq(x, y), scale(g, 0.5), 0));
}

// ---- unary math ----

/** −x, like torch.neg (refused on bool, as in PyTorch). */
export const neg = unary('neg', {
  types: (op, operands) => {
    if ((operands[0] as Tensor).dtype === 'bool') {
      throw new TypeError(
        'Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.',
      );
    }
    return same(op, operands);
  },
  wgsl: '-x',
  cpu: (x) => -x,
  grad: [(g) => neg(g)],
});

/** |x|, like torch.abs. */
export const abs = unary('abs', {
  types: same,
  wgsl: 'abs(x)',
  cpu: (x) => Math.abs(x),
  save: ['x'],
  grad: [(g, { x }) => mul(g, sign(x))],
});

/** −1, 0 or 1 by the sign of x, like torch.sign; its gradient is 0. */
export const sign = unary('sign', {
  types: same,
  wgsl: 'select(sign(x), 0, x != x)',
  cpu: (x) => (isNaN(x) ? 0 : Math.sign(x)),
  grad: [zero],
});

/** e^x, like torch.exp. */
export const exp = unary('exp', {
  types: floating,
  wgsl: 'exp(x)',
  cpu: (x) => Math.exp(x),
  save: ['out'],
  grad: [(g, { out }) => mul(g, out)],
});

/** The natural logarithm, like torch.log. */
export const log = unary('log', {
  types: floating,
  wgsl: 'log_f32(x)',
  cpu: (x) => Math.log(x),
  save: ['x'],
  grad: [(g, { x }) => div(g, x)],
});

/** √x, like torch.sqrt. */
export const sqrt = unary('sqrt', {
  types: floating,
  wgsl: 'sqrt(x)',
  cpu: (x) => Math.sqrt(x),
  save: ['out'],
  grad: [(g, { out }) => div(g, scale(out, 2))],
});

/** 1/√x, like torch.rsqrt. */
export const rsqrt = unary('rsqrt', {
  types: floating,
  wgsl: '1.0 / sqrt(x)',
  cpu: (x) => 1 / Math.sqrt(x),
  save: ['out'],
  grad: [(g, { out }) => mul(g, mul(pow(out, 3), -0.5))],
});

/** sin x (radians), like torch.sin. */
export const sin = unary('sin', {
  types: floating,
  wgsl: 'sin(x)',
  cpu: (x) => Math.sin(x),
  save: ['x'],
  grad: [(g, { x }) => mul(g, cos(x))],
});

/** cos x (radians), like torch.cos. */
export const cos = unary('cos', {
  types: floating,
  wgsl: 'cos(x)',
  cpu: (x) => Math.cos(x),
  save: ['x'],
  grad: [(g, { x }) => neg(mul(g, sin(x)))],
});

/** The largest integer ≤ x, like torch.floor (integers unchanged); its gradient is 0. */
export const floor = unary('floor', { types: same, wgsl: 'floor(x)', wgslInt: 'x', cpu: Math.floor, grad: [zero] });

/** The smallest integer ≥ x, like torch.ceil (integers unchanged); its gradient is 0. */
export const ceil = unary('ceil', { types: same, wgsl: 'ceil(x)', wgslInt: 'x', cpu: Math.ceil, grad: [zero] });

/** x rounded to the nearest integer, halves to even, like torch.round; its gradient is 0. */
export const round = unary('round', { types: same, wgsl: 'round(x)', wgslInt: 'x', cpu: m.roundHalfEven, grad: [zero] });

// ---- activations ----
// Each derivative is a row of its own (`…Backward`, x = the forward's input or output, y = the
// gradient): one dispatch per backward.

/** max(x, 0), like torch.relu (NaN stays NaN). */
export const relu = unary('relu', {
  types: same,
  wgsl: 'select(max(x, 0.0), x, is_nan(x))',
  wgslInt: 'max(x, 0)',
  cpu: (x) => (x > 0 || isNaN(x) ? x : 0),
  save: ['out'],
  reluEpilogue: true,
  grad: [(g, { out }) => reluBackward(out, g)],
  // relu(linear(x)) differentiates in the fused linear+ReLU's one pass (g·[y > 0] with the bias gradient).
  fusedBackward: {
    Linear: (g, [out], inner) => {
      const rule = inner.fusion.attrs?.backwardAfterRelu as BackwardAfterRelu | undefined;
      return rule ? rule(g, out, inner.savedTensors()) : null;
    },
  },
});

/** A Linear node's backward when a ReLU took its output (its attrs.backwardAfterRelu): g is the ReLU's output gradient, y its output. */
export type BackwardAfterRelu = (g: Tensor, y: Tensor, saved: readonly Tensor[]) => (Tensor | null)[];

/** g where y > 0, else 0: relu's backward in one kernel (y is relu's output). */
export const reluBackward = binary('reluBackward', { types: floating, wgsl: 'select(0.0, y, x > 0.0)', cpu: (x, g) => (x > 0 ? g : 0) });

/** 1 / (1 + e^−x), like torch.sigmoid. */
export const sigmoid = unary('sigmoid', {
  types: floating,
  wgsl: 'sigmoid_f32(x)',
  cpu: m.sigmoid,
  save: ['out'],
  grad: [(g, { out }) => sigmoidBackward(out, g)],
});
const sigmoidBackward = binary('sigmoidBackward', { types: floating, wgsl: 'y * x * (1.0 - x)', cpu: (s, g) => g * s * (1 - s) });

/** The hyperbolic tangent, like torch.tanh. */
export const tanh = unary('tanh', {
  types: floating,
  wgsl: 'tanh_f32(x)',
  cpu: Math.tanh,
  save: ['out'],
  grad: [(g, { out }) => tanhBackward(out, g)],
});
const tanhBackward = binary('tanhBackward', { types: floating, wgsl: 'y * (1.0 - x * x)', cpu: (t, g) => g * (1 - t * t) });

/** x·Φ(x) (Φ the standard normal CDF): F.gelu with approximate 'none'. */
const geluErf = unary('gelu', { types: floatOnly, wgsl: 'gelu_f32(x)', cpu: m.gelu, save: ['x'], grad: [(g, { x }) => geluBackward(x, g)] });
const geluBackward = binary('geluBackward', { types: floating, wgsl: 'y * gelu_grad_f32(x)', cpu: (x, g) => g * m.geluGrad(x) });

/** F.gelu with approximate 'tanh'. */
const geluTanh = unary('geluTanh', {
  types: floatOnly,
  wgsl: 'gelu_tanh_f32(x)',
  cpu: m.geluTanh,
  save: ['x'],
  grad: [(g, { x }) => geluTanhBackward(x, g)],
});
const geluTanhBackward = binary('geluTanhBackward', { types: floating, wgsl: 'y * gelu_tanh_grad_f32(x)', cpu: (x, g) => g * m.geluTanhGrad(x) });

/** Options of gelu, as F.gelu's keyword arguments. */
export interface GeluOptions {
  /** 'none' (exact, with erf) or 'tanh' (the tanh approximation); 'none' by default. */
  approximate?: 'none' | 'tanh';
}

/** The Gaussian error linear unit, like F.gelu: x·Φ(x), or its tanh approximation. */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  const { approximate = 'none' } = checkOptions('gelu', options, ['approximate']);
  if (approximate === 'none') return geluErf(x);
  if (approximate === 'tanh') return geluTanh(x);
  throw new RangeError(`approximate argument must be either none or tanh, found ${JSON.stringify(approximate)}`);
}

/** x where x > 0, else negativeSlope·x, like F.leaky_relu. */
export const leakyRelu = unary('leakyRelu', {
  types: floatOnly,
  attrs: { negativeSlope: 0.01 },
  wgsl: 'select(x * attr(0), x, x > 0.0)',
  cpu: (x, _y, _z, [slope]) => (x > 0 ? x : x * slope),
  save: ['x'],
  grad: [(g, { x, attrs }) => leakyReluBackward(x, g, ...attrs)],
});
const leakyReluBackward = binary('leakyReluBackward', {
  types: floating,
  attrs: { negativeSlope: 0.01 },
  wgsl: 'select(y * attr(0), y, x > 0.0)',
  cpu: (x, g, _z, [slope]) => (x > 0 ? g : g * slope),
});

/** x where x > 0, else alpha·(e^x − 1), like F.elu. */
export const elu = unary('elu', {
  types: floatOnly,
  attrs: { alpha: 1 },
  wgsl: 'select(attr(0) * (exp(x) - 1.0), x, x > 0.0)',
  cpu: (x, _y, _z, [alpha]) => (x > 0 ? x : alpha * Math.expm1(x)),
  save: ['x'],
  grad: [(g, { x, attrs }) => eluBackward(x, g, ...attrs)],
});
const eluBackward = binary('eluBackward', {
  types: floating,
  attrs: { alpha: 1 },
  wgsl: 'select(y * attr(0) * exp(x), y, x > 0.0)',
  cpu: (x, g, _z, [alpha]) => (x > 0 ? g : g * alpha * Math.exp(x)),
});

/** x·sigmoid(x), like F.silu. */
export const silu = unary('silu', { types: floatOnly, wgsl: 'x * sigmoid_f32(x)', cpu: (x) => x * m.sigmoid(x), save: ['x'], grad: [(g, { x }) => siluBackward(x, g)] });
const siluBackward = binary('siluBackward', {
  types: floating,
  wgsl: 'y * sigmoid_f32(x) * (1.0 + x * (1.0 - sigmoid_f32(x)))',
  cpu: (x, g) => g * m.sigmoid(x) * (1 + x * (1 - m.sigmoid(x))),
});

/** log(1 + e^(beta·x)) / beta, or x where beta·x > threshold, like F.softplus. */
export const softplus = unary('softplus', {
  types: floatOnly,
  attrs: { beta: 1, threshold: 20 },
  wgsl: 'softplus_f32(x, attr(0), attr(1))',
  cpu: (x, _y, _z, [beta, threshold]) => (beta * x > threshold ? x : Math.log1p(Math.exp(beta * x)) / beta),
  save: ['x'],
  grad: [(g, { x, attrs }) => softplusBackward(x, g, ...attrs)],
});
const softplusBackward = binary('softplusBackward', {
  types: floating,
  attrs: { beta: 1, threshold: 20 },
  wgsl: 'select(y * sigmoid_f32(attr(0) * x), y, attr(0) * x > attr(1))',
  cpu: (x, g, _z, [beta, threshold]) => (beta * x > threshold ? g : g * m.sigmoid(beta * x)),
});

// ---- comparisons (not differentiable) ----

/** a == b elementwise, like torch.eq; bool. */
export const eq = binary('eq', { types: comparison, wgsl: 'select(0, 1, x == y)', cpu: (x, y) => Number(x === y) });

/** a != b elementwise, like torch.ne; bool. */
export const ne = binary('ne', { types: comparison, wgsl: 'select(0, 1, x != y)', cpu: (x, y) => Number(x !== y) });

/** a > b elementwise, like torch.gt; bool. */
export const gt = binary('gt', { types: comparison, wgsl: 'select(0, 1, x > y)', cpu: (x, y) => Number(x > y) });

/** a < b elementwise, like torch.lt; bool. */
export const lt = binary('lt', { types: comparison, wgsl: 'select(0, 1, x < y)', cpu: (x, y) => Number(x < y) });

/** a >= b elementwise, like torch.ge; bool. */
export const ge = binary('ge', { types: comparison, wgsl: 'select(0, 1, x >= y)', cpu: (x, y) => Number(x >= y) });

/** a <= b elementwise, like torch.le; bool. */
export const le = binary('le', { types: comparison, wgsl: 'select(0, 1, x <= y)', cpu: (x, y) => Number(x <= y) });

/** Whether each element is NaN, like torch.isnan; bool. */
export const isnan = unary('isnan', { types: comparison, wgsl: 'select(0, 1, is_nan(x))', wgslInt: '0', cpu: (x) => Number(isNaN(x)) });

/** Whether each element is ±infinity, like torch.isinf; bool. */
export const isinf = unary('isinf', {
  types: comparison,
  wgsl: 'select(0, 1, is_inf(x))',
  wgslInt: '0',
  cpu: (x) => Number(x === Infinity || x === -Infinity),
});

const closeRow = binary('isclose', {
  types: floatComparison,
  attrs: { rtol: 1e-5, atol: 1e-8, equalNan: 0 },
  wgsl: 'select(0, 1, x == y || abs(x - y) <= attr(1) + attr(0) * abs(y) || (attr(2) != 0.0 && is_nan(x) && is_nan(y)))',
  cpu: (x, y, _z, [rtol, atol, equalNan]) => Number(x === y || Math.abs(x - y) <= atol + rtol * Math.abs(y) || (equalNan !== 0 && isNaN(x) && isNaN(y))),
});

/** Options of isclose and allclose, as torch's keyword arguments. */
export interface CloseOptions {
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Whether two NaNs count as close (default false). */
  equalNan?: boolean;
}

/** |a − b| ≤ atol + rtol·|b| elementwise, like torch.isclose (rtol 1e-5, atol 1e-8); bool. */
export function isclose(a: Tensor, b: Operand, options: CloseOptions = {}): Tensor {
  const { rtol = 1e-5, atol = 1e-8, equalNan = false } = checkOptions('isclose', options, ['rtol', 'atol', 'equalNan']);
  return closeRow(a, b, rtol, atol, Number(equalNan));
}

/** Whether every element of a is close to b's (broadcast), like torch.allclose. Reads back. */
export async function allclose(a: Tensor, b: Operand, options: CloseOptions = {}): Promise<boolean> {
  checkOptions('allclose', options, ['rtol', 'atol', 'equalNan']);
  return everyNonzero(isclose(a, b, options));
}

/** Whether a and b have the same shape and elements, like torch.equal. Reads back. */
export async function equal(a: Tensor, b: Tensor): Promise<boolean> {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  return everyNonzero(eq(a, b));
}

async function everyNonzero(mask: Tensor): Promise<boolean> {
  try {
    return (await mask.toArray()).every((v) => v !== 0);
  } finally {
    mask.dispose();
  }
}

// ---- selection ----

const whereRow = define('where', 3, {
  types: selected,
  wgsl: 'select(z, y, x != 0)',
  cpu: (c, x, y) => (c !== 0 ? x : y),
  save: ['x'],
  grad: [undefined, (g, { x }) => where(x, g, 0), (g, { x }) => where(x, 0, g)],
});

/**
 * x where cond is true, y elsewhere, broadcast together, like torch.where. Two bool operands (a
 * boolean counts as one) give a bool result, as in PyTorch.
 */
export function where(cond: Tensor, x: Operand, y: Operand): Tensor {
  const temps: Tensor[] = [];
  const asBoolTensor = (v: Operand): Operand => {
    if (typeof v !== 'boolean') return v;
    const t = fromArray([Number(v)], [], { dtype: 'bool', device: cond.device });
    temps.push(t);
    return t;
  };
  const out = apply(whereRow, [cond, asBoolTensor(x), asBoolTensor(y)]);
  for (const t of temps) t.dispose();
  return out;
}

const clampRow = define('clamp', 3, {
  types: promoted,
  wgsl: 'clamp_nan(x, y, z)',
  wgslInt: 'min(max(x, y), z)',
  cpu: (x, lo, hi) => (isNaN(x) ? x : Math.min(Math.max(x, lo), hi)),
  save: ['x', 'y', 'z'],
  grad: [
    (g, { x, y, z }) => where(ge(x, y), where(le(x, z), g, 0), 0),
    (g, { x, y }) => where(lt(x, y), g, 0),
    (g, { x, z }) => where(gt(x, z), g, 0),
  ],
});

/**
 * x clamped to [min, max], like torch.clamp: either bound a tensor (broadcast) or a number, and
 * either may be null; NaN stays NaN. Where min > max the result is max, as in PyTorch.
 */
export function clamp(x: Tensor, min: Operand | null = null, max: Operand | null = null): Tensor {
  if (min === null && max === null) throw new Error("torch.clamp: At least one of 'min' or 'max' must not be None");
  return apply(clampRow, [x, min ?? unbounded(x, -1), max ?? unbounded(x, 1)]);
}

/** A missing bound: ±infinity, or int32's extreme for integer x (so that the result keeps x's dtype). */
function unbounded(x: Tensor, side: -1 | 1): Tensor {
  if (isFloating(x.dtype)) return fromArray([side * Infinity], [], { dtype: x.dtype, device: x.device });
  return fromArray([side < 0 ? -(2 ** 31) : 2 ** 31 - 1], [], { dtype: 'int32', device: x.device });
}

// ---- copies (not recorded) and in-place updates (recorded for autograd by runInPlace) ----

const copyRow = define('copy', 1, { types: same, wgsl: 'x', cpu: (x) => x });
const addRow = ELEMENTWISE_OPS.get('add')!;
const mulRow = ELEMENTWISE_OPS.get('mul')!;

/** A copy (or a dtype conversion) of x into a new contiguous tensor. Not recorded. */
export function copyAs(x: Tensor, dtype: DType = x.dtype): Tensor {
  if (dtype === 'bool') return ne(x, 0);
  return run(copyRow, [x], { out: dtype, compute: castCompute(x.dtype, dtype) });
}

/** dst += alpha·other in place (dst keeps its dtype), like Tensor.add_. */
export function add_(dst: Tensor, other: Operand, alpha = 1): Tensor {
  const others = typeof other === 'object' ? [other] : [];
  const backward = (g: Tensor) => [g, typeof other === 'object' && other.requiresGrad ? sumToShape(scale(g, alpha), other.shape) : null];
  return runInPlace(dst, { name: 'Add', others, backward }, () => writeInPlace(addRow, dst, other, [alpha]));
}

/** dst *= other in place, like Tensor.mul_. */
export function mul_(dst: Tensor, other: Operand): Tensor {
  const write = () => writeInPlace(mulRow, dst, other, []);
  if (typeof other !== 'object') {
    const factor = Number(other);
    return runInPlace(dst, { name: 'Mul', backward: (g) => [scale(g, factor)] }, write);
  }
  const dstNeedsGrad = dst.requiresGrad;
  // dst's old values are saved (copied) only when other needs a gradient.
  const saved = other.requiresGrad ? [other, dst] : [other];
  const backward = (g: Tensor, [factor, old]: readonly Tensor[]) => [
    dstNeedsGrad ? mul(g, factor) : null,
    old ? sumToShape(mul(g, old), other.shape) : null,
  ];
  return runInPlace(dst, { name: 'Mul', others: [other], saved, backward }, write);
}

function writeInPlace(op: ElementwiseOp, dst: Tensor, other: Operand, attrs: number[]): void {
  const compute: Compute = isFloating(dst.dtype) ? 'float32' : 'int32';
  const opts = { out: dst.dtype, compute, attrs, into: dst, inplace: true };
  if (typeof other !== 'object') run(op, [dst], { ...opts, scalar: Number(other) });
  else withSnapshot(other, dst, (src) => run(op, [dst, src], opts));
}

/** Copies src (broadcast) into the view dst, converting dtype: dst.copy_(src). */
export function copyInto(dst: Tensor, src: Tensor): Tensor {
  const backward = (g: Tensor) => [null, src.requiresGrad ? sumToShape(g.dtype === src.dtype ? g : copyAs(g, src.dtype), src.shape) : null];
  return runInPlace(dst, { name: 'Copy', others: [src], backward }, () =>
    withSnapshot(src, dst, (s) => copyBuffer(s, dst) ?? run(copyRow, [s], { out: dst.dtype, compute: castCompute(s.dtype, dst.dtype), into: dst })),
  );
}

/**
 * dst.copy_(src) on webgpu where both are contiguous, of one shape and dtype: a buffer-to-buffer
 * copy, with no kernel to compile (llvmpipe spends ~90 ms compiling the copy kernel at its first
 * dispatch, which nn.init's first fill paid at start-up). Null where the kernel is needed.
 */
function copyBuffer(src: Tensor, dst: Tensor): Tensor | null {
  const same = src.dtype === dst.dtype && sameShape(src.shape, dst.shape);
  if (dst.device.type !== 'webgpu' || src.device !== dst.device || !same || !src.isContiguous() || !dst.isContiguous() || dst.numel() === 0) return null;
  // A buffer copy moves whole 4-byte words: uint8's offsets and lengths need not be.
  const bytes = gpuItemSize(dst.dtype);
  if (bytes !== 4) return null;
  dst.device.gpu.copy(src.storage.buffer, src.offset * bytes, dst.storage.buffer, dst.offset * bytes, dst.numel() * bytes);
  return dst;
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
function castCompute(from: DType, to: DType): Compute {
  return isFloating(from) || isFloating(to) ? 'float32' : 'int32';
}

function scale(g: Tensor, factor: number): Tensor {
  return factor === 1 ? g : mul(g, factor);
}
