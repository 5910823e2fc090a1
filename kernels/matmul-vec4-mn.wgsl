// out[M, N] = a[M, K] · b[K, N] (+ bias[N]) (then ReLU) on CPU adapters with subgroups of SG lanes
// (lavapipe: 8), for a contiguous along m (a transposed view: gz·W in an input gradient, gz stored
// transposed by linear's backward) and b along n; M and N multiples of 4, any K, rows
// 16-byte aligned: the vec4 sibling of matmul-subgroup.wgsl (read its header first). Each lane
// owns TN groups of 4 adjacent columns of TM rows; per k it loads one vec4 of A per 4·SG rows (4
// rows per lane, passed around with subgroupShuffle) and one vec4 of B per group. One k per
// iteration keeps the unrolled body small: llvmpipe compiles it in 0.11 s (0.86 s for the earlier
// body of 4 k), and it runs faster. Edges are clamped on load and masked on store.
enable subgroups;

const TM: u32 = {{TM}}u;
const TN: u32 = {{TN}}u;
const SG: u32 = {{SG}}u;
const TA: u32 = (TM + 4u * SG - 1u) / (4u * SG);

#include "matmul-vec4-columns.wgsl"

@compute @workgroup_size(SG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let row0 = wid.y * TM;
  let col4 = wid.x * (SG * TN) + lane;
  var acc: array<vec4<f32>, TM * TN>;
  let boff = column_offsets(col4, b_start(wid.z));
  var aoff: array<u32, TA>;
  for (var u = 0u; u < TA; u++) { aoff[u] = (a_start(wid.z) + min(row0 + 4u * SG * u + 4u * lane, p.M - 4u)) / 4u; }
  let sb4 = p.sb0 / 4u;
  let sa4 = p.sa1 / 4u;
  for (var k = 0u; k < p.K; k++) {
    var bv: array<vec4<f32>, TN>;
    for (var t = 0u; t < TN; t++) { bv[t] = b[boff[t] + k * sb4]; }
    var am: array<vec4<f32>, TA>;
    for (var u = 0u; u < TA; u++) { am[u] = a[aoff[u] + k * sa4]; }
    for (var i = 0u; i < TM; i++) {
      let av = subgroupShuffle(am[i / (4u * SG)][i % 4u], (i / 4u) % SG);
      for (var t = 0u; t < TN; t++) { acc[i * TN + t] = fma(vec4<f32>(av), bv[t], acc[i * TN + t]); }
    }
  }
  store_tile(&acc, row0, col4, out_start(wid.z));
}
