// Softmax family over the middle dim of a contiguous [outer, R, inner] view, one thread per row.
// OP 0: log_softmax(x)        OP 1: softmax(x)
// OP 2: log_softmax backward: g - exp(y) * sum(g)      (y = the forward output)
// OP 3: softmax backward:     y * (g - sum(g * y))
struct Params { outer: u32, reduce: u32, inner: u32, off_x: u32, off_g: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> p: Params;

override OP: u32 = 0u;
const WG: u32 = 64u;

fn row_value(i: u32) -> f32 {
  return x[p.off_x + i];
}

#include "softmax-row.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = gid.x + gid.y * nwg.x * WG;
  if (row >= p.outer * p.inner) { return; }
  let base = (row / p.inner) * p.reduce * p.inner + row % p.inner;
  let step = p.inner;
  if (OP == 0u || OP == 1u) {
    let ms = row_max_sum(base, step, p.reduce);
    let m = ms.x;
    let s = ms.y;
    let log_s = log(s);
    for (var r = 0u; r < p.reduce; r++) {
      let i = base + r * step;
      let shifted = x[p.off_x + i] - m;
      if (OP == 0u) { out[i] = shifted - log_s; } else { out[i] = exp(shifted) / s; }
    }
  } else {
    var s = 0.0;
    for (var r = 0u; r < p.reduce; r++) {
      let i = base + r * step;
      if (OP == 2u) { s += g[p.off_g + i]; } else { s += g[p.off_g + i] * x[p.off_x + i]; }
    }
    for (var r = 0u; r < p.reduce; r++) {
      let i = base + r * step;
      if (OP == 2u) { out[i] = g[p.off_g + i] - exp(x[p.off_x + i]) * s; } else { out[i] = x[p.off_x + i] * (g[p.off_g + i] - s); }
    }
  }
}
