// What the kernels share whose lanes own TN groups of 4 adjacent columns, vec4 columns col4,
// col4 + SG, ... of TM rows from row0, with b read along n (matmul-vec4-n.wgsl and
// matmul-vec4-mn.wgsl include it after defining TM and TN; N is a multiple of 4, so a group is
// wholly inside or outside the matrix): the bindings, b's offsets, and the epilogue.
@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4<f32>>;
#include "matmul-interface.wgsl"

// Where each owned group's column of b (starting at b0) starts (row 0), in vec4s; edge groups clamped.
fn column_offsets(col4: u32, b0: u32) -> array<u32, TN> {
  var boff: array<u32, TN>;
  for (var t = 0u; t < TN; t++) { boff[t] = b0 / 4u + min(col4 + SG * t, p.N / 4u - 1u); }
  return boff;
}

// Bias loaded once per owned column (0 without one) and added to every row, then ReLU when asked;
// one vec4 store per group, the output starting at out0 (a multiple of 4, as N is).
fn store_tile(acc: ptr<function, array<vec4<f32>, TM * TN>>, row0: u32, col4: u32, out0: u32) {
  let N4 = p.N / 4u;
  var bias_v: array<vec4<f32>, TN>;
  if ((p.epilogue & EPILOGUE_BIAS) != 0u) {
    for (var t = 0u; t < TN; t++) {
      for (var j = 0u; j < 4u; j++) { bias_v[t][j] = bias[p.off_bias + min(4u * (col4 + SG * t) + j, p.N - 1u)]; }
    }
  }
  let relu = (p.epilogue & EPILOGUE_RELU) != 0u;
  for (var i = 0u; i < min(TM, p.M - row0); i++) {
    for (var t = 0u; t < TN; t++) {
      let c4 = col4 + SG * t;
      let v = (*acc)[i * TN + t] + bias_v[t];
      if (c4 < N4) { out[out0 / 4u + (row0 + i) * N4 + c4] = select(v, relu_keep_nan4(v), relu); }
    }
  }
}
