// Statistics of batch and layer normalization over a contiguous x viewed as [A, K, B]: for each k,
// the mean and 1/√(var + eps) of the A·B elements x[a, k, b] (biased variance, two passes), one
// thread per k. stats holds the means in [0, K) and the inverse deviations in [K, 2K).
// TRAINING 0 (batch norm in eval mode): the running statistics are used instead.
// UPDATE 1: running = (1 − f)·running + f·batch (the variance unbiased), f = momentum, or
// 1 / num_batches_tracked (already incremented) when CUMULATIVE is 1.
struct Params { A: u32, K: u32, B: u32, off_x: u32, eps: f32, momentum: f32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> running_mean: array<f32>;
@group(0) @binding(2) var<storage, read_write> running_var: array<f32>;
@group(0) @binding(3) var<storage, read> batches: array<i32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@group(0) @binding(5) var<storage, read> p: Params;

override TRAINING: u32 = 1u;
override UPDATE: u32 = 0u;
override CUMULATIVE: u32 = 0u;
const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = gid.x + gid.y * nwg.x * WG;
  if (k >= p.K) { return; }
  if (TRAINING == 0u) {
    stats[k] = running_mean[k];
    stats[p.K + k] = 1.0 / sqrt(running_var[k] + p.eps);
    return;
  }
  let count = f32(p.A * p.B);
  var total = 0.0;
  for (var a = 0u; a < p.A; a++) {
    let base = p.off_x + (a * p.K + k) * p.B;
    for (var b = 0u; b < p.B; b++) { total += x[base + b]; }
  }
  let mean = total / count;
  var squares = 0.0;
  for (var a = 0u; a < p.A; a++) {
    let base = p.off_x + (a * p.K + k) * p.B;
    for (var b = 0u; b < p.B; b++) {
      let d = x[base + b] - mean;
      squares += d * d;
    }
  }
  let variance = squares / count;
  stats[k] = mean;
  stats[p.K + k] = 1.0 / sqrt(variance + p.eps);
  if (UPDATE == 1u) {
    var f = p.momentum;
    if (CUMULATIVE == 1u) { f = 1.0 / f32(batches[0]); }
    running_mean[k] = (1.0 - f) * running_mean[k] + f * mean;
    running_var[k] = (1.0 - f) * running_var[k] + f * squares / (count - 1.0);
  }
}
