// log_softmax over the rows of contiguous x [N, C] followed by the negative log-likelihood of
// int32 targets [N] (nll.wgsl's forward), in one dispatch: what the submit-time peephole runs for
// a logSoftmax(x, 1) whose output the next nllLoss reads (see fuseLogSoftmaxNll in webgpu.ts).
// It still writes the log-probabilities to logp (the LogSoftmax node keeps them for backward, and
// any later reader sees them), with softmax.wgsl's arithmetic, so that logp and the loss are the
// two dispatches' to the bit. REDUCTION and the class weights w (WEIGHTED) as in nll.wgsl.
// A target outside [0, C) that is not ignore_index sets device check 1 (see device-checks.ts).
struct Params {
  N: u32, C: u32, off_x: u32, off_t: u32,
  ignore_index: i32, off_w: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<i32>;
@group(0) @binding(2) var<storage, read_write> logp: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> total_weight: array<f32>;
@group(0) @binding(5) var<storage, read> weight: array<f32>;
@group(0) @binding(6) var<storage, read_write> checks: array<i32>;
@group(0) @binding(7) var<storage, read> p: Params;

fn row_value(i: u32) -> f32 {
  return x[p.off_x + i];
}

#include "softmax-row.wgsl"
#include "class-loss-forward.wgsl"

// Writes row n of logp; returns its loss and its target's weight (0 when ignored or out of range).
fn sample_loss(n: u32) -> vec2<f32> {
  let base = n * p.C;
  let ms = row_max_sum(base, 1u, p.C);
  let log_s = log(ms.y);
  for (var c = 0u; c < p.C; c++) { logp[base + c] = (row_value(base + c) - ms.x) - log_s; }
  let t = checked_target(n);
  if (t < 0) { return vec2<f32>(0.0, 0.0); }
  let wt = class_weight(u32(t));
  return vec2<f32>(-wt * ((row_value(base + u32(t)) - ms.x) - log_s), wt);
}

fn store_count(count: f32) {
  total_weight[0] = count;
}
