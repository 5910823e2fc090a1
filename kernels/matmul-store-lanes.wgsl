// The epilogue of the kernels whose lanes own TN columns col0, col0 + SG, ... of TM rows from row0
// (matmul-subgroup.wgsl and matmul-vec4-k.wgsl include it), output starting at out0: bias loaded once per owned column
// (0 without one) and added to every row, then ReLU when asked, and edges masked.
fn store_tile(acc: ptr<function, array<f32, TM * TN>>, row0: u32, col0: u32, out0: u32) {
  var bias_v: array<f32, TN>;
  if ((p.epilogue & EPILOGUE_BIAS) != 0u) {
    for (var t = 0u; t < TN; t++) { bias_v[t] = bias[p.off_bias + min(col0 + t * SG, p.N - 1u)]; }
  }
  let relu = (p.epilogue & EPILOGUE_RELU) != 0u;
  for (var i = 0u; i < min(TM, p.M - row0); i++) {
    let r = row0 + i;
    for (var t = 0u; t < TN; t++) {
      let c = col0 + t * SG;
      let v = (*acc)[i * TN + t] + bias_v[t];
      if (c < p.N) { out[out0 + r * p.N + c] = select(v, relu_keep_nan(v), relu); }
    }
  }
}
