// out[M, N] = a[M, K] · b[K, N] (+ bias[N]) (then ReLU), for CPU adapters without subgroups
// (Dawn's GL backend on llvmpipe). No workgroup memory and no barriers: each invocation owns TN
// output columns (strided by the workgroup width WG, so that neighbouring lanes load neighbouring
// columns of B) of TM rows, and reuses each loaded value TM or TN times from registers. Loads are
// clamped to the matrix, stores are masked, so any M, N, K works.
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
#include "matmul-interface.wgsl"

const TM: u32 = {{TM}}u;
const TN: u32 = {{TN}}u;
const WG: u32 = {{WG}}u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let row0 = wid.y * TM;
  let col0 = wid.x * (WG * TN) + lane;
  let out0 = out_start(wid.z);
  var acc: array<f32, TM * TN>;
  var boff: array<u32, TN>;
  var aoff: array<u32, TM>;
  for (var t = 0u; t < TN; t++) { boff[t] = b_start(wid.z) + min(col0 + t * WG, p.N - 1u) * p.sb1; }
  for (var i = 0u; i < TM; i++) { aoff[i] = a_start(wid.z) + min(row0 + i, p.M - 1u) * p.sa0; }
  for (var k = 0u; k < p.K; k++) {
    var bv: array<f32, TN>;
    for (var t = 0u; t < TN; t++) { bv[t] = b[boff[t] + k * p.sb0]; }
    for (var i = 0u; i < TM; i++) {
      let av = a[aoff[i] + k * p.sa1];
      for (var t = 0u; t < TN; t++) { acc[i * TN + t] = fma(av, bv[t], acc[i * TN + t]); }
    }
  }
  // Bias loaded once per owned column (0 without one), then added to every row.
  var bias_v: array<f32, TN>;
  if ((p.epilogue & EPILOGUE_BIAS) != 0u) {
    for (var t = 0u; t < TN; t++) { bias_v[t] = bias[p.off_bias + min(col0 + t * WG, p.N - 1u)]; }
  }
  let relu = (p.epilogue & EPILOGUE_RELU) != 0u;
  for (var i = 0u; i < min(TM, p.M - row0); i++) {
    let r = row0 + i;
    for (var t = 0u; t < TN; t++) {
      let c = col0 + t * WG;
      let v = acc[i * TN + t] + bias_v[t];
      if (c < p.N) { out[out0 + r * p.N + c] = select(v, relu_keep_nan(v), relu); }
    }
  }
}
