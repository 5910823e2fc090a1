// Reductions over the middle dim of a contiguous [outer, R, inner] view: one workgroup per
// output element, its threads striding over R, then a tree in workgroup memory.
// OP: 0 sum (times p.scale, so mean is sum with scale 1/R), 1 max, 2 argmax (first maximum).
struct Params { outer: u32, reduce: u32, inner: u32, offset: u32, scale: f32 }

@group(0) @binding(0) var<storage, read> x: array<{{A}}>;
@group(0) @binding(1) var<storage, read_write> out: array<{{OUT}}>;
@group(0) @binding(2) var<storage, read> p: Params;

override OP: u32 = 0u;
// Whether {{T}} is f32 (NaN exists).
override FLOAT: bool = true;
const WG: u32 = 64u;

var<workgroup> values: array<{{T}}, WG>;
var<workgroup> indices: array<u32, WG>;

// From the bits: the compiler may assume that `a != a` is false.
fn is_nan(a: {{T}}) -> bool {
  return FLOAT && (bitcast<u32>(a) & 0x7fffffffu) > 0x7f800000u;
}

// a beats b for max/argmax: larger, NaN first, then the lower index on ties.
fn better(a: {{T}}, ia: u32, b: {{T}}, ib: u32) -> bool {
  if (is_nan(a)) { return !is_nan(b) || ia < ib; }
  if (is_nan(b)) { return false; }
  return a > b || (a == b && ia < ib);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * nwg.x;
  if (o >= p.outer * p.inner) { return; }
  let base = p.offset + (o / p.inner) * p.reduce * p.inner + o % p.inner;
  var acc: {{T}};
  var best = 0xffffffffu;
  if (OP == 0u) { acc = {{T}}(0); }
  for (var r = lid; r < p.reduce; r += WG) {
    let v = {{T}}(x[base + r * p.inner]);
    if (OP == 0u) {
      acc += v;
    } else if (best == 0xffffffffu || better(v, r, acc, best)) {
      acc = v;
      best = r;
    }
  }
  values[lid] = acc;
  indices[lid] = best;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      let ob = indices[lid + stride];
      if (OP == 0u) {
        values[lid] += values[lid + stride];
      } else if (ob != 0xffffffffu && (indices[lid] == 0xffffffffu || better(values[lid + stride], ob, values[lid], indices[lid]))) {
        values[lid] = values[lid + stride];
        indices[lid] = ob;
      }
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    switch OP {
      case 0u: { out[o] = {{OUT}}(values[0] * {{T}}({{SCALE}})); }
      case 1u: { out[o] = {{OUT}}(values[0]); }
      default: { out[o] = {{OUT}}(i32(indices[0])); }
    }
  }
}
