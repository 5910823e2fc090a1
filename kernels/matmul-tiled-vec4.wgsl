// out[M, N] = a[M, K] · b[K, N] (+ bias[N]) (then ReLU) for real GPUs: the shared-memory tiled
// kernel with vec4 arithmetic that GPU libraries use (as TensorFlow.js's matmul_packed_webgpu).
// A workgroup of WX×WY threads computes a (WY·RPT)×(WX·4) output tile; per step of TK along k
// it stages a TM×TK slice of a and a TK×TN slice of b in workgroup memory as vec4s (along k for
// a, along n for b), then each thread multiplies RPT rows by one vec4 of 4 adjacent columns, 4 k
// at a time, from there. Operands are read through their strides (any layout, any alignment):
// each staged vec4 is 4 scalar loads, in the order in which neighbouring threads read
// neighbouring addresses (A_ALONG_M, B_ALONG_K for transposed operands). Edges are zero-filled
// on load and masked on store, so any M, N, K works.
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
#include "matmul-interface.wgsl"

override A_ALONG_M: bool = false;
override B_ALONG_K: bool = false;

const WX: u32 = {{WX}}u;
const WY: u32 = {{WY}}u;
const RPT: u32 = {{RPT}}u;
const TK: u32 = {{TK}}u;
const TM: u32 = WY * RPT;
const TN4: u32 = WX;
const TK4: u32 = TK / 4u;
const THREADS: u32 = WX * WY;

var<workgroup> tileA: array<vec4<f32>, TM * TK4>; // [m][k / 4]
var<workgroup> tileB: array<vec4<f32>, TK * TN4>; // [k][n / 4]

fn load_a(base: u32, r: u32, k: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  if (r < p.M) {
    for (var j = 0u; j < 4u; j++) {
      if (k + j < p.K) { v[j] = a[base + r * p.sa0 + (k + j) * p.sa1]; }
    }
  }
  return v;
}

fn load_b(base: u32, k: u32, c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  if (k < p.K) {
    for (var j = 0u; j < 4u; j++) {
      if (c + j < p.N) { v[j] = b[base + k * p.sb0 + (c + j) * p.sb1]; }
    }
  }
  return v;
}

@compute @workgroup_size(WX, WY)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) flat: u32) {
  let row0 = wid.y * TM;
  let col0 = wid.x * TN4 * 4u;
  let a0 = a_start(wid.z);
  let b0 = b_start(wid.z);
  var acc: array<vec4<f32>, RPT>;
  for (var k0 = 0u; k0 < p.K; k0 += TK) {
    for (var idx = flat; idx < TM * TK4; idx += THREADS) {
      var m = idx / TK4;
      var k4 = idx % TK4;
      if (A_ALONG_M) { m = idx % TM; k4 = idx / TM; }
      tileA[m * TK4 + k4] = load_a(a0, row0 + m, k0 + 4u * k4);
    }
    for (var idx = flat; idx < TK * TN4; idx += THREADS) {
      var k = idx / TN4;
      var n4 = idx % TN4;
      if (B_ALONG_K) { k = idx % TK; n4 = idx / TK; }
      tileB[k * TN4 + n4] = load_b(b0, k0 + k, col0 + 4u * n4);
    }
    workgroupBarrier();
    for (var k4 = 0u; k4 < TK4; k4++) {
      let b_0 = tileB[(4u * k4) * TN4 + lid.x];
      let b_1 = tileB[(4u * k4 + 1u) * TN4 + lid.x];
      let b_2 = tileB[(4u * k4 + 2u) * TN4 + lid.x];
      let b_3 = tileB[(4u * k4 + 3u) * TN4 + lid.x];
      for (var i = 0u; i < RPT; i++) {
        let av = tileA[(lid.y * RPT + i) * TK4 + k4];
        acc[i] = fma(vec4<f32>(av.x), b_0, acc[i]);
        acc[i] = fma(vec4<f32>(av.y), b_1, acc[i]);
        acc[i] = fma(vec4<f32>(av.z), b_2, acc[i]);
        acc[i] = fma(vec4<f32>(av.w), b_3, acc[i]);
      }
    }
    workgroupBarrier();
  }
  let c0 = col0 + lid.x * 4u;
  var bias_v = vec4<f32>(0.0);
  if ((p.epilogue & EPILOGUE_BIAS) != 0u) {
    for (var j = 0u; j < 4u; j++) { bias_v[j] = bias[p.off_bias + min(c0 + j, p.N - 1u)]; }
  }
  let relu = (p.epilogue & EPILOGUE_RELU) != 0u;
  let out0 = out_start(wid.z);
  for (var i = 0u; i < RPT; i++) {
    let r = row0 + lid.y * RPT + i;
    if (r >= p.M) { break; }
    let v = acc[i] + bias_v;
    let w = select(v, relu_keep_nan4(v), relu);
    for (var j = 0u; j < 4u; j++) {
      if (c0 + j < p.N) { out[out0 + r * p.N + c0 + j] = w[j]; }
    }
  }
}
