// Elementwise ops over up to 8 broadcast, strided dims: out[.] = {{EXPR}} of x = a[.], y = b[.],
// z = c[.]; the output may be a strided view too (in-place updates, copies into slices).
// {{EXPR}} is one row of the elementwise table (packages/tensor/src/ops/elementwise.ts): a WGSL
// expression in x, y, z of type {{T}} (f32 or i32, what the op computes in) and attr(i), the
// op's number arguments; the longer ones call the functions below. {{A}} {{B}} {{C}} are the
// input element types, {{OUT}} the output's.
struct Params {
  numel: u32, ndim: u32, off_a: u32, off_b: u32,
  off_c: u32, off_out: u32, scalar_b: u32, scalar_f32: f32,
  scalar_i32: i32,
  attr_f32: array<f32, 4>,
  attr_i32: array<i32, 4>,
  shape: array<u32, 8>,
  str_a: array<u32, 8>,
  str_b: array<u32, 8>,
  str_c: array<u32, 8>,
  str_out: array<u32, 8>,
}

@group(0) @binding(0) var<storage, read> a: array<{{A}}>;
@group(0) @binding(1) var<storage, read> b: array<{{B}}>;
@group(0) @binding(2) var<storage, read> c: array<{{C}}>;
@group(0) @binding(3) var<storage, read_write> out: array<{{OUT}}>;
@group(0) @binding(4) var<storage, read> p: Params;

const WG: u32 = 256u;

fn attr(i: u32) -> {{T}} {
  return p.attr_{{T}}[i];
}

fn apply(x: {{T}}, y: {{T}}, z: {{T}}) -> {{T}} {
  return {{T}}({{EXPR}});
}

// WGSL's max() and comparisons may drop NaN; the bit pattern cannot.
fn is_nan(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

// PyTorch's pow: exact for integer exponents, NaN for negative bases with fractional ones,
// ±inf for zero to a negative power. WGSL's pow(x, y) is only defined for x > 0.
fn pow_f32(x: f32, y: f32) -> f32 {
  if (y == 0.0) { return 1.0; }
  if (y == 1.0) { return x; }
  if (y == 2.0) { return x * x; }
  if (y == 0.5) { return sqrt(x); }
  let odd = y == round(y) && round(y * 0.5) != y * 0.5;
  let sign = select(0u, bitcast<u32>(x) & 0x80000000u, odd);
  if (x == 0.0) {
    return bitcast<f32>(select(0u, 0x7f800000u, y < 0.0) | sign);
  }
  if (x < 0.0) {
    // NaN, built from x's bits: a constant NaN does not compile.
    if (y != round(y)) { return bitcast<f32>(bitcast<u32>(x) | 0x7fc00000u); }
    return bitcast<f32>(bitcast<u32>(pow(-x, y)) | sign);
  }
  return pow(x, y);
}

fn is_inf(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u;
}

// min and max that return x where it is NaN (WGSL's may return either operand).
fn clamp_nan(x: f32, lo: f32, hi: f32) -> f32 {
  return select(min(max(x, lo), hi), x, is_nan(x));
}

// erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7, under an f32 ulp of 1).
fn erf_f32(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(x) * (1.0 - poly * exp(-x * x));
}

// PyTorch's log: -inf at ±0 and NaN below 0, which WGSL leaves undefined (SwiftShader gives
// -88.03 and log|x|). Both are built from x's bits: a constant inf or NaN does not compile.
fn log_f32(x: f32) -> f32 {
  if (x == 0.0) { return bitcast<f32>(bitcast<u32>(x) | 0xff800000u); }
  if (x < 0.0) { return bitcast<f32>(bitcast<u32>(x) | 0x7fc00000u); }
  return log(x);
}

// log(1 + u) without losing u's digits when u is small (Goldberg's trick).
fn log1p_f32(u: f32) -> f32 {
  let w = 1.0 + u;
  return select(log_f32(w) * (u / (w - 1.0)), u, w == 1.0);
}

// tanh, exact to f32 beyond |x| = 10 (where it rounds to ±1), where an implementation by
// (e^2x - 1) / (e^2x + 1) would give inf / inf = NaN (SwiftShader's does).
fn tanh_f32(x: f32) -> f32 {
  return tanh(clamp_nan(x, -10.0, 10.0));
}

fn sigmoid_f32(x: f32) -> f32 {
  return 1.0 / (1.0 + exp(-x));
}

const SQRT_HALF: f32 = 0.7071067811865476;
const SQRT_2_OVER_PI: f32 = 0.7978845608028654;
const INV_SQRT_2PI: f32 = 0.3989422804014327;

// x·Φ(x), Φ the standard normal CDF: gelu(approximate='none').
fn gelu_f32(x: f32) -> f32 {
  return 0.5 * x * (1.0 + erf_f32(x * SQRT_HALF));
}

fn gelu_grad_f32(x: f32) -> f32 {
  return 0.5 * (1.0 + erf_f32(x * SQRT_HALF)) + x * INV_SQRT_2PI * exp(-0.5 * x * x);
}

// gelu(approximate='tanh'): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
fn gelu_tanh_f32(x: f32) -> f32 {
  return 0.5 * x * (1.0 + tanh_f32(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
}

fn gelu_tanh_grad_f32(x: f32) -> f32 {
  let t = tanh_f32(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x));
  return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * SQRT_2_OVER_PI * (1.0 + 3.0 * 0.044715 * x * x);
}

// softplus(x, beta, threshold): log(1 + exp(beta·x)) / beta, or x where beta·x > threshold.
fn softplus_f32(x: f32, beta: f32, threshold: f32) -> f32 {
  return select(log1p_f32(exp(beta * x)) / beta, x, beta * x > threshold);
}

fn element(i: u32) {
  var rem = i;
  var ia = p.off_a;
  var ib = p.off_b;
  var ic = p.off_c;
  var io = p.off_out;
  // One dim (contiguous operands, coalesced): no division.
  if (p.ndim == 1u) {
    ia += i * p.str_a[0];
    ib += i * p.str_b[0];
    ic += i * p.str_c[0];
    io += i * p.str_out[0];
  }
  for (var d = select(i32(p.ndim) - 1, -1, p.ndim == 1u); d >= 0; d--) {
    let size = p.shape[d];
    let idx = rem % size;
    rem = rem / size;
    ia += idx * p.str_a[d];
    ib += idx * p.str_b[d];
    ic += idx * p.str_c[d];
    io += idx * p.str_out[d];
  }
  var y: {{T}};
  if (p.scalar_b != 0u) { y = p.scalar_{{T}}; } else { y = {{T}}(b[ib]); }
  // In-place ops read their first operand from `out` itself ({{FIRST}} is a or out).
  out[io] = {{OUT}}(apply({{T}}({{FIRST}}[select(ia, io, {{INPLACE}})]), y, {{T}}(c[ic])));
}

// The grid strides over the elements: the host dispatches fewer threads than elements (see
// elementwise-kernel.ts), which llvmpipe runs faster, an invocation's own cost being large there.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let threads = nwg.x * nwg.y * WG;
  for (var i = gid.x + gid.y * nwg.x * WG; i < p.numel; i += threads) { element(i); }
}
