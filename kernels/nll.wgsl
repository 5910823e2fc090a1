// Negative log-likelihood over log-probabilities logp [N, C] (strided) and int32 targets [N].
// Entry `forward`: REDUCTION 0 writes the per-sample losses; 1 (sum) and 2 (mean) reduce in one
//   workgroup and also write the count of non-ignored targets (PyTorch's total_weight).
// Entry `backward`: grad[n, c] = -g[n] * [c == targets[n]] (/ total_weight for mean); g is read
//   through its offset and stride s_g (0 for the scalar of a reduced loss).
// A target outside [0, C) that is not ignore_index sets device check 1 (see device-checks.ts).
struct Params {
  N: u32, C: u32, off_logp: u32, s0: u32,
  s1: u32, off_t: u32, ignore_index: i32, off_g: u32,
  s_g: u32,
}

@group(0) @binding(0) var<storage, read> logp: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<i32>;
@group(0) @binding(2) var<storage, read> grad_in: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> total_weight: array<f32>;
@group(0) @binding(5) var<storage, read_write> checks: array<i32>;
@group(0) @binding(6) var<storage, read> p: Params;

override REDUCTION: u32 = 2u;
const WG: u32 = 256u;

var<workgroup> partial: array<f32, WG>;
var<workgroup> counts: array<f32, WG>;

// The loss of sample n, and whether it counts (not ignored, in range).
fn sample_loss(n: u32) -> vec2<f32> {
  let t = targets[p.off_t + n];
  if (t == p.ignore_index) { return vec2<f32>(0.0, 0.0); }
  if (t < 0 || u32(t) >= p.C) {
    checks[0] = 1;
    checks[1] = t;
    checks[2] = i32(p.C);
    return vec2<f32>(0.0, 0.0);
  }
  return vec2<f32>(-logp[p.off_logp + n * p.s0 + u32(t) * p.s1], 1.0);
}

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32,
           @builtin(num_workgroups) nwg: vec3<u32>) {
  if (REDUCTION == 0u) {
    let n = gid.x + gid.y * nwg.x * WG;
    if (n < p.N) { out[n] = sample_loss(n).x; }
    return;
  }
  var s = 0.0;
  var c = 0.0;
  for (var n = lid; n < p.N; n += WG) {
    let l = sample_loss(n);
    s += l.x;
    c += l.y;
  }
  partial[lid] = s;
  counts[lid] = c;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      partial[lid] += partial[lid + stride];
      counts[lid] += counts[lid + stride];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    total_weight[0] = counts[0];
    if (REDUCTION == 2u) { out[0] = partial[0] / counts[0]; } else { out[0] = partial[0]; }
  }
}

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.N * p.C) { return; }
  let n = i / p.C;
  let c = i % p.C;
  let t = targets[p.off_t + n];
  var v = 0.0;
  if (t == i32(c) && t != p.ignore_index) {
    let g = grad_in[p.off_g + n * p.s_g];
    if (REDUCTION == 2u) { v = -g / total_weight[0]; } else { v = -g; }
  }
  out[i] = v;
}
