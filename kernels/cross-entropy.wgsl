// Cross entropy of logits x [N, C] (strided) against contiguous int32 class targets [N]: log_softmax and the
// negative log-likelihood fused, one dispatch forward and one backward, with PyTorch's class
// weights w (WEIGHTED; else every w_c = 1) and label smoothing ε (p.smoothing):
//   loss_n = (1 - ε)·w_t·(lse - x[n, t]) + ε/C · Σ_c w_c·(lse - x[n, c]),  t = t[n].
// Entry `forward`: each row's log-sum-exp goes to stats[n] (kept for backward), Σ_c w_c to
//   stats[N + 1]; REDUCTION 0 writes the per-row losses (one thread per row); 1 (sum) and 2 (mean)
//   reduce in one workgroup and also write the total weight of non-ignored targets, Σ_n w_t, to
//   stats[N] (the mean divides by it).
// Entry `backward`: with q = exp(x[n, c] - lse[n]) (the softmax),
//   grad[n, c] = g · ((1 - ε)·w_t·(q - [c == t]) + ε/C · (q·Σ_k w_k - w_c)),
//   divided by the total weight for mean, and 0 on ignored rows.
// A target outside [0, C) that is not ignore_index sets device check 1 (see device-checks.ts).
struct Params {
  N: u32, C: u32, off_x: u32, s0: u32,
  s1: u32, off_t: u32, ignore_index: i32, off_g: u32,
  sg: u32, off_w: u32, smoothing: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<i32>;
@group(0) @binding(2) var<storage, read> grad_in: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@group(0) @binding(5) var<storage, read> weight: array<f32>;
@group(0) @binding(6) var<storage, read_write> checks: array<i32>;
@group(0) @binding(7) var<storage, read> p: Params;

#include "class-loss-forward.wgsl"

fn logit(n: u32, c: u32) -> f32 {
  return x[p.off_x + n * p.s0 + c * p.s1];
}

// Row n's loss and its target's weight (0 when ignored or out of range); stores its log-sum-exp.
fn sample_loss(n: u32) -> vec2<f32> {
  var m = -3.402823e38;
  for (var c = 0u; c < p.C; c++) { m = max(m, logit(n, c)); }
  var s = 0.0;
  for (var c = 0u; c < p.C; c++) { s += exp(logit(n, c) - m); }
  let lse = m + log(s);
  stats[n] = lse;
  if (n == 0u) {
    var total = 0.0;
    for (var c = 0u; c < p.C; c++) { total += class_weight(c); }
    stats[p.N + 1u] = total;
  }
  let t = checked_target(n);
  if (t < 0) { return vec2<f32>(0.0, 0.0); }
  let wt = class_weight(u32(t));
  var loss = wt * (lse - logit(n, u32(t)));
  if (p.smoothing != 0.0) {
    var spread = 0.0;
    for (var c = 0u; c < p.C; c++) { spread += class_weight(c) * (lse - logit(n, c)); }
    loss = (1.0 - p.smoothing) * loss + p.smoothing / f32(p.C) * spread;
  }
  return vec2<f32>(loss, wt);
}

fn store_count(count: f32) {
  stats[p.N] = count;
}

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.N * p.C) { return; }
  let n = i / p.C;
  let c = i % p.C;
  let t = targets[p.off_t + n];
  if (t == p.ignore_index) {
    out[i] = 0.0;
    return;
  }
  var g = grad_in[p.off_g + n * p.sg];
  if (REDUCTION == 2u) { g /= stats[p.N]; }
  let q = exp(logit(n, c) - stats[n]);
  var d = class_weight(u32(t)) * (q - select(0.0, 1.0, t == i32(c)));
  if (p.smoothing != 0.0) {
    d = (1.0 - p.smoothing) * d + p.smoothing / f32(p.C) * (q * stats[p.N + 1u] - class_weight(c));
  }
  out[i] = g * d;
}
