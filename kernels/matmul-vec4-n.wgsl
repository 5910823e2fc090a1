// out[M, N] = a[M, K] · b[K, N] (+ bias[N]) (then ReLU) on CPU adapters with subgroups of SG lanes
// (lavapipe: 8), for a contiguous along k and b along n (a plain product, or gzᵀ·x in a weight
// gradient, gz stored transposed by linear's backward); K and N multiples of 4, rows 16-byte
// aligned: the vec4 sibling of matmul-subgroup.wgsl (read its header first). Each lane owns TN
// groups of 4 adjacent columns of TM rows and accumulates them as vec4; per 4 k it loads one vec4
// of A per SG rows (lane = row, passed around with subgroupShuffle) and 4 vec4 of B per group.
// Edges are clamped on load and masked on store.
enable subgroups;

const TM: u32 = {{TM}}u;
const TN: u32 = {{TN}}u;
const SG: u32 = {{SG}}u;
const TA: u32 = (TM + SG - 1u) / SG;

#include "matmul-vec4-columns.wgsl"

const HALF: u32 = TM / 2u;

// Rows i0 .. i0 + HALF of the tile, as in matmul-vec4-k.wgsl: two loops of HALF rows stay unrolled
// where one of TM does not.
fn accumulate(acc: ptr<function, array<vec4<f32>, TM * TN>>, am: ptr<function, array<vec4<f32>, TA>>,
              bv: ptr<function, array<vec4<f32>, 4 * TN>>, i0: u32) {
  for (var h = 0u; h < HALF; h++) {
    let i = i0 + h;
    let av = subgroupShuffle((*am)[i / SG], i % SG);
    for (var t = 0u; t < TN; t++) {
      var s = (*acc)[i * TN + t];
      s = fma(vec4<f32>(av.x), (*bv)[t], s);
      s = fma(vec4<f32>(av.y), (*bv)[TN + t], s);
      s = fma(vec4<f32>(av.z), (*bv)[2u * TN + t], s);
      s = fma(vec4<f32>(av.w), (*bv)[3u * TN + t], s);
      (*acc)[i * TN + t] = s;
    }
  }
}

@compute @workgroup_size(SG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let row0 = wid.y * TM;
  let col4 = wid.x * (SG * TN) + lane;
  var acc: array<vec4<f32>, TM * TN>;
  let boff = column_offsets(col4, b_start(wid.z));
  var aoff: array<u32, TA>;
  for (var u = 0u; u < TA; u++) { aoff[u] = (a_start(wid.z) + min(row0 + SG * u + lane, p.M - 1u) * p.sa0) / 4u; }
  let sb4 = p.sb0 / 4u;
  for (var k = 0u; k < p.K; k += 4u) {
    var bv: array<vec4<f32>, 4 * TN>;
    for (var c = 0u; c < 4u; c++) {
      for (var t = 0u; t < TN; t++) { bv[c * TN + t] = b[boff[t] + (k + c) * sb4]; }
    }
    var am: array<vec4<f32>, TA>;
    for (var u = 0u; u < TA; u++) { am[u] = a[aoff[u] + k / 4u]; }
    accumulate(&acc, &am, &bv, 0u);
    accumulate(&acc, &am, &bv, HALF);
  }
  store_tile(&acc, row0, col4, out_start(wid.z));
}
