// Gathers slices along one dim of a contiguous [outer, size, inner] view by an int32 index:
// out[o, i, j] = x[o, index[i], j]. Entry `add_backward` is index_add into zeros, summing over
// repeated indices without atomics: out[o, r, j] = sum of g[o, i, j] over i with index[i] == r.
// An index outside [0, size) sets device check 2 (see device-checks.ts).
struct Params { outer: u32, size: u32, inner: u32, count: u32, off_x: u32, off_index: u32 }

@group(0) @binding(0) var<storage, read> x: array<{{T}}>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<{{T}}>;
@group(0) @binding(3) var<storage, read_write> checks: array<i32>;
@group(0) @binding(4) var<storage, read> p: Params;

const WG: u32 = 256u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= p.outer * p.count * p.inner) { return; }
  let j = e % p.inner;
  let i = (e / p.inner) % p.count;
  let o = e / (p.inner * p.count);
  let r = index[p.off_index + i];
  if (r < 0 || u32(r) >= p.size) {
    checks[0] = 2;
    checks[1] = r;
    checks[2] = i32(p.size);
    out[e] = {{T}}(0);
    return;
  }
  out[e] = x[p.off_x + (o * p.size + u32(r)) * p.inner + j];
}

@compute @workgroup_size(WG)
fn add_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= p.outer * p.size * p.inner) { return; }
  let j = e % p.inner;
  let r = i32((e / p.inner) % p.size);
  let o = e / (p.inner * p.size);
  var acc = {{T}}(0);
  for (var i = 0u; i < p.count; i++) {
    if (index[p.off_index + i] == r) { acc += x[p.off_x + (o * p.count + i) * p.inner + j]; }
  }
  out[e] = acc;
}
