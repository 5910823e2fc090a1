// out[M, N] = a[M, K] · b[K, N] (+ bias[N]) (then ReLU) on CPU adapters with subgroups of SG lanes
// (lavapipe: 8), for a and b both contiguous along k (x·Wᵀ in a Linear forward), K % 4 == 0 and
// rows 16-byte aligned: the vec4 sibling of matmul-subgroup.wgsl (read its header first).
// A vec4 load costs far less per value than four scalar loads there, so each step of 4 k loads
// one vec4 of A per lane (lane = row, SG rows per load, passed around with subgroupShuffle) and
// one vec4 of B per owned column; each lane owns TN columns (lane, lane + SG, ...) of TM rows
// (TM even). Edges are clamped on load and masked on store.
enable subgroups;
@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
#include "matmul-interface.wgsl"
#include "matmul-store-lanes.wgsl"

const TM: u32 = {{TM}}u;
const TN: u32 = {{TN}}u;
const SG: u32 = {{SG}}u;
const TMS: u32 = (TM + SG - 1u) / SG;
const HALF: u32 = TM / 2u;

// Rows i0 .. i0 + HALF of the tile. The tile's rows go through two loops of HALF rather than one
// of TM: NIR stops unrolling a loop of 32 rows, and the accumulators then spill to scratch memory.
fn accumulate(acc: ptr<function, array<f32, TM * TN>>, am: ptr<function, array<vec4<f32>, TMS>>,
              bv: ptr<function, array<vec4<f32>, TN>>, i0: u32) {
  for (var h = 0u; h < HALF; h++) {
    let i = i0 + h;
    let av = subgroupShuffle((*am)[i / SG], i % SG);
    for (var t = 0u; t < TN; t++) {
      var s = (*acc)[i * TN + t];
      s = fma(av.x, (*bv)[t].x, s);
      s = fma(av.y, (*bv)[t].y, s);
      s = fma(av.z, (*bv)[t].z, s);
      s = fma(av.w, (*bv)[t].w, s);
      (*acc)[i * TN + t] = s;
    }
  }
}

@compute @workgroup_size(SG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let row0 = wid.y * TM;
  let col0 = wid.x * (SG * TN) + lane;
  var acc: array<f32, TM * TN>;
  var boff: array<u32, TN>;
  var aoff: array<u32, TMS>;
  for (var t = 0u; t < TN; t++) { boff[t] = (b_start(wid.z) + min(col0 + t * SG, p.N - 1u) * p.sb1) / 4u; }
  for (var u = 0u; u < TMS; u++) { aoff[u] = (a_start(wid.z) + min(row0 + u * SG + lane, p.M - 1u) * p.sa0) / 4u; }
  let K4 = p.K / 4u;
  for (var k = 0u; k < K4; k++) {
    var am: array<vec4<f32>, TMS>;
    for (var u = 0u; u < TMS; u++) { am[u] = a[aoff[u] + k]; }
    var bv: array<vec4<f32>, TN>;
    for (var t = 0u; t < TN; t++) { bv[t] = b[boff[t] + k]; }
    accumulate(&acc, &am, &bv, 0u);
    accumulate(&acc, &am, &bv, HALF);
  }
  store_tile(&acc, row0, col0, out_start(wid.z));
}
