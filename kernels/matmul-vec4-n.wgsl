// out[M, N] = a[M, K] · b[K, N] (+ bias[N]) (then ReLU) on CPU adapters with 8-wide subgroups
// (lavapipe), for b contiguous along n, and a contiguous along k or, when A_ALONG_M, along m (the
// transposed operand of a weight gradient); K, N (and M along m) multiples of 4, rows 16-byte
// aligned: the vec4 sibling of matmul-subgroup.wgsl (read its header first). Each lane owns TN
// groups of 4 adjacent columns of TM rows and accumulates them as vec4; per k it loads one vec4
// of B per group, and A as vec4 along k (lane = row, 8 rows per load) or along m (4 rows per lane,
// 32 per load), passed around with subgroupShuffle. Edges are clamped on load and masked on store.
enable subgroups;
@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
#include "matmul-interface.wgsl"

const TM: u32 = {{TM}}u;
const TN: u32 = {{TN}}u;
const A_ALONG_M: bool = {{A_ALONG_M}};
// Vec4 loads of A per step: along k, one per 8 rows (lanes = rows); along m, one per 32 rows.
const TA: u32 = select((TM + 7u) / 8u, (TM + 31u) / 32u, A_ALONG_M);

@compute @workgroup_size(8)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let row0 = wid.y * TM;
  let col0 = wid.x * (32u * TN);
  var acc: array<vec4<f32>, TM * TN>;
  var boff: array<u32, TN>;
  for (var t = 0u; t < TN; t++) { boff[t] = (p.off_b + min(col0 + 4u * (lane + 8u * t), p.N - 4u)) / 4u; }
  var aoff: array<u32, TA>;
  for (var u = 0u; u < TA; u++) {
    if (A_ALONG_M) {
      aoff[u] = (p.off_a + min(row0 + 32u * u + 4u * lane, p.M - 4u)) / 4u;
    } else {
      aoff[u] = (p.off_a + min(row0 + 8u * u + lane, p.M - 1u) * p.sa0) / 4u;
    }
  }
  let sb4 = p.sb0 / 4u;
  let sa4 = p.sa1 / 4u;
  for (var k = 0u; k < p.K; k += 4u) {
    var bv: array<vec4<f32>, 4 * TN>;
    for (var c = 0u; c < 4u; c++) {
      for (var t = 0u; t < TN; t++) { bv[c * TN + t] = b[boff[t] + (k + c) * sb4]; }
    }
    if (A_ALONG_M) {
      for (var c = 0u; c < 4u; c++) {
        var am: array<vec4<f32>, TA>;
        for (var u = 0u; u < TA; u++) { am[u] = a[aoff[u] + (k + c) * sa4]; }
        for (var i = 0u; i < TM; i++) {
          let av = subgroupShuffle(am[i / 32u][i % 4u], (i / 4u) % 8u);
          for (var t = 0u; t < TN; t++) { acc[i * TN + t] = fma(vec4<f32>(av), bv[c * TN + t], acc[i * TN + t]); }
        }
      }
    } else {
      var am: array<vec4<f32>, TA>;
      for (var u = 0u; u < TA; u++) { am[u] = a[aoff[u] + k / 4u]; }
      for (var i = 0u; i < TM; i++) {
        let av = subgroupShuffle(am[i / 8u], i % 8u);
        for (var t = 0u; t < TN; t++) {
          var s = acc[i * TN + t];
          s = fma(vec4<f32>(av.x), bv[t], s);
          s = fma(vec4<f32>(av.y), bv[TN + t], s);
          s = fma(vec4<f32>(av.z), bv[2u * TN + t], s);
          s = fma(vec4<f32>(av.w), bv[3u * TN + t], s);
          acc[i * TN + t] = s;
        }
      }
    }
  }
  // Bias loaded once per owned column (0 without one), then added to every row.
  var bias_v: array<vec4<f32>, TN>;
  if ((p.epilogue & EPILOGUE_BIAS) != 0u) {
    for (var t = 0u; t < TN; t++) {
      for (var j = 0u; j < 4u; j++) { bias_v[t][j] = bias[p.off_bias + min(col0 + 4u * (lane + 8u * t) + j, p.N - 1u)]; }
    }
  }
  let relu = (p.epilogue & EPILOGUE_RELU) != 0u;
  for (var i = 0u; i < TM; i++) {
    let r = row0 + i;
    if (r >= p.M) { break; }
    for (var t = 0u; t < TN; t++) {
      let c0 = col0 + 4u * (lane + 8u * t);
      var v = acc[i * TN + t] + bias_v[t];
      v = select(v, max(v, vec4<f32>(0.0)), relu);
      for (var j = 0u; j < 4u; j++) {
        if (c0 + j < p.N) { out[r * p.N + c0 + j] = v[j]; }
      }
    }
  }
}
