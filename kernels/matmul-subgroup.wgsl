// out[M, N] = a[M, K] · b[K, N] (+ bias[N]) (then ReLU), for CPU adapters with subgroups of SG
// lanes (lavapipe: 8). There, every storage load is a per-lane scalar load with a bounds check and costs far
// more than arithmetic, so the kernel is shaped to load as little as possible and keeps nothing in
// workgroup memory: a workgroup is one subgroup of SG lanes; each lane owns TN output columns
// (lane, lane + SG, ...) of TM rows. Per step of SG k, the lanes load SG consecutive values of A at
// once (along k, or along m when A is m-contiguous, A_ALONG_M) and pass them around with
// subgroupShuffle; B is loaded per lane. Edges are clamped on load and masked on store; values past
// K are zeroed on both sides so that they add nothing.
// The lane is local_invocation_index, not subgroup_invocation_id: lavapipe then knows the lane
// vector is constant (0..SG-1); a workgroup of SG lanes is one subgroup wherever SG is at most
// the adapter's smallest subgroup size (matmulCandidates checks it) and compiles the shuffles to single permutes (2-3x faster).
enable subgroups;

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
#include "matmul-interface.wgsl"
#include "matmul-store-lanes.wgsl"

override A_ALONG_M: bool = false;

const TM: u32 = {{TM}}u;
const TN: u32 = {{TN}}u;
const SG: u32 = {{SG}}u;
const TMS: u32 = (TM + SG - 1u) / SG;

@compute @workgroup_size(SG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let row0 = wid.y * TM;
  let col0 = wid.x * (SG * TN) + lane;
  var acc: array<f32, TM * TN>;
  var boff: array<u32, TN>;
  for (var t = 0u; t < TN; t++) { boff[t] = b_start(wid.z) + min(col0 + t * SG, p.N - 1u) * p.sb1; }
  // A_ALONG_M: lane-specific row offsets (rows row0 + SG·q + lane); else per-row offsets.
  var aoff: array<u32, TM>;
  if (A_ALONG_M) {
    for (var q = 0u; q < TMS; q++) { aoff[q] = a_start(wid.z) + min(row0 + q * SG + lane, p.M - 1u) * p.sa0; }
  } else {
    for (var i = 0u; i < TM; i++) { aoff[i] = a_start(wid.z) + min(row0 + i, p.M - 1u) * p.sa0; }
  }
  for (var k0 = 0u; k0 < p.K; k0 += SG) {
    var ak: array<f32, TM>;
    if (!A_ALONG_M) {
      let kl = k0 + lane;
      let kc = min(kl, p.K - 1u) * p.sa1;
      for (var i = 0u; i < TM; i++) { ak[i] = select(0.0, a[aoff[i] + kc], kl < p.K); }
    }
    for (var j = 0u; j < SG; j++) {
      let live = k0 + j < p.K;
      let k = min(k0 + j, p.K - 1u);
      var bv: array<f32, TN>;
      for (var t = 0u; t < TN; t++) { bv[t] = select(0.0, b[boff[t] + k * p.sb0], live); }
      if (A_ALONG_M) {
        var am: array<f32, TMS>;
        for (var q = 0u; q < TMS; q++) { am[q] = a[aoff[q] + k * p.sa1]; }
        for (var i = 0u; i < TM; i++) {
          let av = subgroupShuffle(am[i / SG], i % SG);
          for (var t = 0u; t < TN; t++) { acc[i * TN + t] = fma(av, bv[t], acc[i * TN + t]); }
        }
      } else {
        for (var i = 0u; i < TM; i++) {
          let av = subgroupShuffle(ak[i], j);
          for (var t = 0u; t < TN; t++) { acc[i * TN + t] = fma(av, bv[t], acc[i * TN + t]); }
        }
      }
    }
  }
  store_tile(&acc, row0, col0, out_start(wid.z));
}
