// Reductions over the middle dim of a contiguous [outer, R, inner] view: `main` gives each output
// element a workgroup, its threads striding over R, then a tree in workgroup memory; `short` one
// invocation.
// OP: 0 sum (times p.scale, so mean is sum with scale 1/R), 1 the extreme value, 2 its index (the
// first one), 3 product. LARGEST picks max/argmax (true) or min/argmin (false); NaN wins either way.
struct Params { outer: u32, reduce: u32, inner: u32, offset: u32, scale: f32 }

@group(0) @binding(0) var<storage, read> x: array<{{A}}>;
@group(0) @binding(1) var<storage, read_write> out: array<{{OUT}}>;
@group(0) @binding(2) var<storage, read> p: Params;

override OP: u32 = 0u;
override LARGEST: bool = true;
// Whether {{T}} is f32 (NaN exists).
override FLOAT: bool = true;
const WG: u32 = 64u;
const NONE: u32 = 0xffffffffu;

var<workgroup> values: array<{{T}}, WG>;
var<workgroup> indices: array<u32, WG>;

// From the bits: the compiler may assume that `a != a` is false.
fn is_nan(a: {{T}}) -> bool {
  return FLOAT && (bitcast<u32>(a) & 0x7fffffffu) > 0x7f800000u;
}

// a beats b for the extreme ops: larger (smaller), NaN first, then the lower index on ties.
fn better(a: {{T}}, ia: u32, b: {{T}}, ib: u32) -> bool {
  if (is_nan(a)) { return !is_nan(b) || ia < ib; }
  if (is_nan(b)) { return false; }
  return select((a < b), (a > b), LARGEST) || (a == b && ia < ib);
}

fn identity() -> {{T}} {
  return select({{T}}(0), {{T}}(1), OP == 3u);
}

fn combine(a: {{T}}, b: {{T}}) -> {{T}} {
  return select(a + b, a * b, OP == 3u);
}

// Folds element r, v, into the running value (acc, best).
fn fold(acc: ptr<function, {{T}}>, best: ptr<function, u32>, v: {{T}}, r: u32) {
  if (OP == 0u || OP == 3u) {
    *acc = combine(*acc, v);
  } else if (*best == NONE || better(v, r, *acc, *best)) {
    *acc = v;
    *best = r;
  }
}

fn store(o: u32, value: {{T}}, index: u32) {
  switch OP {
    case 0u: { out[o] = {{OUT}}(value * {{T}}({{SCALE}})); }
    case 2u: { out[o] = {{OUT}}(i32(index)); }
    default: { out[o] = {{OUT}}(value); }
  }
}

fn first_of(o: u32) -> u32 {
  return p.offset + (o / p.inner) * p.reduce * p.inner + o % p.inner;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * nwg.x;
  if (o >= p.outer * p.inner) { return; }
  let base = first_of(o);
  var acc: {{T}} = identity();
  var best = NONE;
  for (var r = lid; r < p.reduce; r += WG) { fold(&acc, &best, {{T}}(x[base + r * p.inner]), r); }
  values[lid] = acc;
  indices[lid] = best;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      let ob = indices[lid + stride];
      if (OP == 0u || OP == 3u) {
        values[lid] = combine(values[lid], values[lid + stride]);
      } else if (ob != NONE && (indices[lid] == NONE || better(values[lid + stride], ob, values[lid], indices[lid]))) {
        values[lid] = values[lid + stride];
        indices[lid] = ob;
      }
    }
    workgroupBarrier();
  }
  if (lid == 0u) { store(o, values[0], indices[0]); }
}

// `short`: one invocation per output element, for reductions no longer than a workgroup: R loads
// in a row cost less than a workgroup and its tree of barriers per output.
@compute @workgroup_size(WG)
fn short(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = gid.x + gid.y * nwg.x * WG;
  if (o >= p.outer * p.inner) { return; }
  let base = first_of(o);
  var acc: {{T}} = identity();
  var best = NONE;
  for (var r = 0u; r < p.reduce; r++) { fold(&acc, &best, {{T}}(x[base + r * p.inner]), r); }
  store(o, acc, best);
}
