// The forward entry shared by nll.wgsl, cross-entropy.wgsl and log-softmax-nll.wgsl (they include
// it), and the class weights. The includer defines `fn sample_loss(n: u32) -> vec2<f32>` (sample
// n's loss, and its weight in the mean) and `fn store_count(count: f32)`, and has `targets`,
// `out`, `weight`, `checks` and params p with N, C, off_t, ignore_index and off_w. REDUCTION 0
// writes the per-sample losses (one thread each); 1 (sum) and 2 (mean) reduce in one workgroup
// and store the total weight of targets that were not ignored (their count without class weights).
override REDUCTION: u32 = 2u;
override WEIGHTED: bool = false;
const WG: u32 = 256u;

// Class c's weight: PyTorch's weight[c] (WEIGHTED), else 1.
fn class_weight(c: u32) -> f32 {
  if (WEIGHTED) { return weight[p.off_w + c]; }
  return 1.0;
}

var<workgroup> partial: array<f32, WG>;
var<workgroup> counts: array<f32, WG>;

// Sample n's class, or -1 when it is ignore_index or outside [0, C) (which sets device check 1).
fn checked_target(n: u32) -> i32 {
  let t = targets[p.off_t + n];
  if (t == p.ignore_index) { return -1; }
  if (t < 0 || u32(t) >= p.C) {
    checks[0] = 1;
    checks[1] = t;
    checks[2] = i32(p.C);
    return -1;
  }
  return t;
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
  // One thread adds the partials, in chunks of 16 to keep the rounding error near a tree's, rather
  // than a tree of barriers: llvmpipe compiled the unrolled tree in 0.1 s of the first dispatch.
  if (lid == 0u) {
    var total = 0.0;
    var count = 0.0;
    for (var i0 = 0u; i0 < min(WG, p.N); i0 += 16u) {
      var chunk = 0.0;
      for (var i = i0; i < i0 + 16u; i++) {
        chunk += partial[i];
        count += counts[i];
      }
      total += chunk;
    }
    store_count(count);
    if (REDUCTION == 2u) { out[0] = total / count; } else { out[0] = total; }
  }
}
