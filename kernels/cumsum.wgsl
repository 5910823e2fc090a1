// Inclusive prefix sums along the middle dim of a contiguous [outer, R, inner] view: one thread
// per line (outer × inner lines), walking its R elements in order.
struct Params { lines: u32, reduce: u32, inner: u32, offset: u32 }

@group(0) @binding(0) var<storage, read> x: array<{{A}}>;
@group(0) @binding(1) var<storage, read_write> out: array<{{OUT}}>;
@group(0) @binding(2) var<storage, read> p: Params;

const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let line = gid.x + gid.y * nwg.x * WG;
  if (line >= p.lines) { return; }
  let start = (line / p.inner) * p.reduce * p.inner + line % p.inner;
  var acc = {{T}}(0);
  for (var r = 0u; r < p.reduce; r++) {
    let i = start + r * p.inner;
    acc += {{T}}(x[p.offset + i]);
    out[i] = {{OUT}}(acc);
  }
}
