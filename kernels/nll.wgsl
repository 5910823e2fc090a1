// Negative log-likelihood over log-probabilities logp [N, C] (strided) and int32 targets [N],
// with PyTorch's class weights w (WEIGHTED; else every w_c = 1): loss_n = -w_t·logp[n, t].
// Entry `forward`: REDUCTION 0 writes the per-sample losses; 1 (sum) and 2 (mean) reduce in one
//   workgroup and also write the total weight of non-ignored targets (PyTorch's total_weight).
// Entry `backward`: grad[n, c] = -g[n]·w_t·[c == targets[n]] (/ total_weight for mean); g is read
//   through its offset and stride s_g (0 for the scalar of a reduced loss). With LOG_SOFTMAX (logp =
//   log_softmax(x, 1), and nothing else takes logp's gradient) it is x's gradient instead, nll's
//   backward then log_softmax's (g_x = g_logp − exp(logp)·Σ_c g_logp) in one pass:
//   grad[n, c] = g[n]·w_t·(exp(logp[n, c]) − [c == t]) (/ total_weight for mean), 0 on ignored rows.
// A target outside [0, C) that is not ignore_index sets device check 1 (see device-checks.ts).
struct Params {
  N: u32, C: u32, off_logp: u32, s0: u32,
  s1: u32, off_t: u32, ignore_index: i32, off_g: u32,
  s_g: u32, off_w: u32,
}

@group(0) @binding(0) var<storage, read> logp: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<i32>;
@group(0) @binding(2) var<storage, read> grad_in: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> total_weight: array<f32>;
@group(0) @binding(5) var<storage, read> weight: array<f32>;
@group(0) @binding(6) var<storage, read_write> checks: array<i32>;
@group(0) @binding(7) var<storage, read> p: Params;

override LOG_SOFTMAX: bool = false;

#include "class-loss-forward.wgsl"

// The loss of sample n and its target's weight (0 when ignored or out of range).
fn sample_loss(n: u32) -> vec2<f32> {
  let t = checked_target(n);
  if (t < 0) { return vec2<f32>(0.0, 0.0); }
  let wt = class_weight(u32(t));
  return vec2<f32>(-wt * logp[p.off_logp + n * p.s0 + u32(t) * p.s1], wt);
}

fn store_count(count: f32) {
  total_weight[0] = count;
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
  var g = grad_in[p.off_g + n * p.s_g] * class_weight(u32(t));
  if (REDUCTION == 2u) { g /= total_weight[0]; }
  if (LOG_SOFTMAX) {
    out[i] = g * (exp(logp[p.off_logp + n * p.s0 + c * p.s1]) - select(0.0, 1.0, t == i32(c)));
  } else {
    out[i] = select(0.0, -g, t == i32(c));
  }
}
