// out[M, N] = a[M, K] · b[K, N] (+ bias[N]) (then ReLU), with a and b read through their strides,
// so a transposed operand costs no copy. 64×64 output tiles in workgroup memory, 16×16 threads
// each holding a 4×4 register block; every edge is masked, so any M, N, K works. The kernel for
// real GPUs; on CPU adapters see matmul-subgroup.wgsl and matmul-columns.wgsl (4-14x faster there).
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
#include "matmul-interface.wgsl"

const TM: u32 = 64u;
const TN: u32 = 64u;
const TK: u32 = 16u;

var<workgroup> tileA: array<f32, 1024>; // [TK][TM]
var<workgroup> tileB: array<f32, 1024>; // [TK][TN]

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) flat: u32) {
  let row0 = wid.y * TM;
  let col0 = wid.x * TN;
  let a0 = a_start(wid.z);
  let b0 = b_start(wid.z);
  let out0 = out_start(wid.z);
  var acc: array<array<f32, 4>, 4>;
  for (var k0 = 0u; k0 < p.K; k0 += TK) {
    for (var i = 0u; i < 4u; i++) {
      let idx = flat + i * 256u;
      let m = idx / TK;
      let k = idx % TK;
      let r = row0 + m;
      let kk = k0 + k;
      var va = 0.0;
      if (r < p.M && kk < p.K) { va = a[a0 + r * p.sa0 + kk * p.sa1]; }
      tileA[k * TM + m] = va;
      let kb = idx / TN;
      let n = idx % TN;
      let c = col0 + n;
      let kbb = k0 + kb;
      var vb = 0.0;
      if (c < p.N && kbb < p.K) { vb = b[b0 + kbb * p.sb0 + c * p.sb1]; }
      tileB[kb * TN + n] = vb;
    }
    workgroupBarrier();
    for (var k = 0u; k < TK; k++) {
      var ra: array<f32, 4>;
      var rb: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) {
        ra[i] = tileA[k * TM + lid.y * 4u + i];
        rb[i] = tileB[k * TN + lid.x * 4u + i];
      }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) {
          acc[i][j] = fma(ra[i], rb[j], acc[i][j]);
        }
      }
    }
    workgroupBarrier();
  }
  // Bias loaded once per owned column (0 without one), then added to every row.
  var bias_v: array<f32, 4>;
  if ((p.epilogue & EPILOGUE_BIAS) != 0u) {
    for (var j = 0u; j < 4u; j++) { bias_v[j] = bias[p.off_bias + min(col0 + lid.x * 4u + j, p.N - 1u)]; }
  }
  let relu = (p.epilogue & EPILOGUE_RELU) != 0u;
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + lid.y * 4u + i;
    if (r >= p.M) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let c = col0 + lid.x * 4u + j;
      let v = acc[i][j] + bias_v[j];
      if (c < p.N) { out[out0 + r * p.N + c] = select(v, relu_keep_nan(v), relu); }
    }
  }
}
