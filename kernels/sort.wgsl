// Sorting along the middle dim of a contiguous [outer, R, inner] view, by rank: each thread takes
// one element and counts the elements of its line that come before it (O(R) per element), then
// writes it at that rank if the rank is below K (sort: K = R; topk: the first K). Ties keep their
// order (stable); NaN sorts above every number, as in PyTorch. Entry `scatter_back` is the
// backward: grad[o, indices[o, k, j], j] = g[o, k, j] into a zeroed grad (the indices of a line
// are distinct, so no two threads write one element).
struct Params { outer: u32, reduce: u32, inner: u32, k: u32, offset: u32 }

@group(0) @binding(0) var<storage, read> src: array<{{T}}>;
@group(0) @binding(1) var<storage, read_write> values: array<{{T}}>;
@group(0) @binding(2) var<storage, read_write> indices: array<i32>;
@group(0) @binding(3) var<storage, read> p: Params;

override DESCENDING: bool = false;
// Whether {{T}} is f32 (NaN exists).
override FLOAT: bool = true;
const WG: u32 = 256u;

fn is_nan(a: {{T}}) -> bool {
  return FLOAT && (bitcast<u32>(a) & 0x7fffffffu) > 0x7f800000u;
}

// Whether a (at index ia) comes before b (at ib) in the sorted line.
fn before(a: {{T}}, ia: u32, b: {{T}}, ib: u32) -> bool {
  let na = is_nan(a);
  let nb = is_nan(b);
  if (na || nb) {
    if (na && nb) { return ia < ib; }
    return na == DESCENDING;
  }
  return select((a < b), (a > b), DESCENDING) || (a == b && ia < ib);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= p.outer * p.reduce * p.inner) { return; }
  let j = e % p.inner;
  let r = (e / p.inner) % p.reduce;
  let o = e / (p.inner * p.reduce);
  let line = p.offset + o * p.reduce * p.inner + j;
  let v = src[line + r * p.inner];
  var rank = 0u;
  for (var i = 0u; i < p.reduce; i++) {
    if (before(src[line + i * p.inner], i, v, r)) { rank++; }
  }
  if (rank < p.k) {
    let at = (o * p.k + rank) * p.inner + j;
    values[at] = v;
    indices[at] = i32(r);
  }
}

@compute @workgroup_size(WG)
fn scatter_back(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= p.outer * p.k * p.inner) { return; }
  let j = e % p.inner;
  let o = e / (p.inner * p.k);
  values[(o * p.reduce + u32(indices[e])) * p.inner + j] = src[p.offset + e];
}
