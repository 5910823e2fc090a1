// Elementwise ops over up to 8 broadcast, strided dims: out[.] = op(a[.], b[.], c[.]);
// the output may be a strided view too (in-place updates, copies into slices).
// Templated per dtype: {{A}} {{B}} {{C}} are the input element types, {{OUT}} the output's,
// {{T}} the type the op computes in (f32 or i32). OP is an override constant, so each
// pipeline keeps only its own case.
struct Params {
  numel: u32, ndim: u32, off_a: u32, off_b: u32,
  off_c: u32, off_out: u32, scalar_b: u32, scalar_f32: f32,
  scalar_i32: i32, alpha_f: f32, alpha_i: i32, _pad: u32,
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

override OP: u32 = 0u;
const WG: u32 = 256u;

// Op codes: shared with the OPS table in packages/tensor/src/ops/elementwise.ts
fn apply_f32(x: f32, y: f32, z: f32) -> f32 {
  switch OP {
    case 0u: { return x; }                                 // copy / cast
    case 1u: { return x + p.alpha_f * y; }                 // add (alpha)
    case 2u: { return x - p.alpha_f * y; }                 // sub (alpha)
    case 3u: { return x * y; }                             // mul
    case 4u: { return x / y; }                             // div
    case 5u: { return -x; }                                // neg
    case 6u: { return exp(x); }                            // exp
    case 7u: { return log(x); }                            // log
    case 8u: { return sqrt(x); }                           // sqrt
    case 9u: { return pow_f32(x, y); }                     // pow
    case 10u: { return select(max(x, 0.0), x, is_nan(x)); } // relu (NaN stays NaN)
    case 11u: { return select(max(x, y), x + y, is_nan(x) || is_nan(y)); } // maximum (NaN wins)
    case 12u: { return select(0.0, 1.0, x == y); }         // eq
    case 13u: { return select(0.0, 1.0, x > y); }          // gt
    case 14u: { return select(0.0, 1.0, x < y); }          // lt
    case 15u: { return select(z, y, x != 0.0); }           // where(cond = x, y, z)
    case 16u: { return select(0.0, y, x > 0.0); }          // relu backward: y where x > 0
    case 17u: { return select(0.0, 1.0, x >= y); }         // ge
    case 18u: { return select(0.0, 1.0, x != y); }         // ne
    default: { return 0.0; }
  }
}

fn apply_i32(x: i32, y: i32, z: i32) -> i32 {
  switch OP {
    case 0u: { return x; }
    case 1u: { return x + p.alpha_i * y; }
    case 2u: { return x - p.alpha_i * y; }
    case 3u: { return x * y; }
    case 5u: { return -x; }
    case 10u: { return max(x, 0); }
    case 11u: { return max(x, y); }
    case 12u: { return select(0, 1, x == y); }
    case 13u: { return select(0, 1, x > y); }
    case 14u: { return select(0, 1, x < y); }
    case 15u: { return select(z, y, x != 0); }
    case 17u: { return select(0, 1, x >= y); }
    case 18u: { return select(0, 1, x != y); }
    default: { return 0; }
  }
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

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.numel) { return; }
  var rem = i;
  var ia = p.off_a;
  var ib = p.off_b;
  var ic = p.off_c;
  var io = p.off_out;
  for (var d = i32(p.ndim) - 1; d >= 0; d--) {
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
  out[io] = {{OUT}}(apply_{{T}}({{T}}({{FIRST}}[select(ia, io, {{INPLACE}})]), y, {{T}}(c[ic])));
}
