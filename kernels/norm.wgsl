// Batch and layer normalization over a contiguous x viewed as [A, K, B], given the statistics of
// each k (kernels/norm-stats.wgsl: means in stats[0, K), inverse deviations in stats[K, 2K)).
// AFFINE 0: no weight and bias; 1: one per k (batch norm); 2: one per b (layer norm).
// - main: out = (x − mean)·invstd·w + b.
// - reduce_grad, one thread per k: with g' = g·w, sums[k] = Σ g', sums[K + k] = Σ g'·x̂ over
//   (a, b); for AFFINE 1 also the weight and bias gradients out[k] = Σ g·x̂, out2[k] = Σ g.
// - input_grad: out = invstd·(g' − (sums[k] + x̂·sums[K + k]) / (A·B)); TRAINING 0 (statistics
//   that are constants, batch norm in eval mode) leaves out the batch terms.
// - affine_grad_b, one thread per b (AFFINE 2): out[b] = Σ g·x̂, out2[b] = Σ g over (a, k).
struct Params { A: u32, K: u32, B: u32, off_x: u32, off_g: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;
@group(0) @binding(5) var<storage, read_write> sums: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
@group(0) @binding(7) var<storage, read_write> out2: array<f32>;
@group(0) @binding(8) var<storage, read> p: Params;

override AFFINE: u32 = 0u;
override TRAINING: u32 = 1u;
const WG: u32 = 256u;

fn flat(gid: vec3<u32>, nwg: vec3<u32>, wg: u32) -> u32 { return gid.x + gid.y * nwg.x * wg; }

fn scale_at(k: u32, b: u32) -> f32 {
  if (AFFINE == 1u) { return weight[k]; }
  if (AFFINE == 2u) { return weight[b]; }
  return 1.0;
}

fn xhat(i: u32, k: u32) -> f32 { return (x[p.off_x + i] - stats[k]) * stats[p.K + k]; }

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg, WG);
  if (i >= p.A * p.K * p.B) { return; }
  let b = i % p.B;
  let k = (i / p.B) % p.K;
  var y = xhat(i, k) * scale_at(k, b);
  if (AFFINE == 1u) { y += bias[k]; }
  if (AFFINE == 2u) { y += bias[b]; }
  out[i] = y;
}

@compute @workgroup_size(64)
fn reduce_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = flat(gid, nwg, 64u);
  if (k >= p.K) { return; }
  var s1 = 0.0;
  var s2 = 0.0;
  var gw = 0.0;
  var gb = 0.0;
  for (var a = 0u; a < p.A; a++) {
    for (var b = 0u; b < p.B; b++) {
      let i = (a * p.K + k) * p.B + b;
      let gi = g[p.off_g + i];
      let h = xhat(i, k);
      let gs = gi * scale_at(k, b);
      s1 += gs;
      s2 += gs * h;
      gw += gi * h;
      gb += gi;
    }
  }
  sums[k] = s1;
  sums[p.K + k] = s2;
  if (AFFINE == 1u) {
    out[k] = gw;
    out2[k] = gb;
  }
}

@compute @workgroup_size(WG)
fn input_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg, WG);
  if (i >= p.A * p.K * p.B) { return; }
  let b = i % p.B;
  let k = (i / p.B) % p.K;
  var d = g[p.off_g + i] * scale_at(k, b);
  if (TRAINING == 1u) { d -= (sums[k] + xhat(i, k) * sums[p.K + k]) / f32(p.A * p.B); }
  out[i] = d * stats[p.K + k];
}

@compute @workgroup_size(64)
fn affine_grad_b(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let b = flat(gid, nwg, 64u);
  if (b >= p.B) { return; }
  var gw = 0.0;
  var gb = 0.0;
  for (var a = 0u; a < p.A; a++) {
    for (var k = 0u; k < p.K; k++) {
      let i = (a * p.K + k) * p.B + b;
      let gi = g[p.off_g + i];
      gw += gi * xhat(i, k);
      gb += gi;
    }
  }
  out[b] = gw;
  out2[b] = gb;
}
