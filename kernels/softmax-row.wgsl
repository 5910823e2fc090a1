// A row's max m and its sum s of exp(x - m), as the softmax family computes them: the includer
// defines `fn row_value(i: u32) -> f32`, and the row is `count` values `step` apart from `base`.
// log_softmax is then (x - m) - log(s), not x - (m + log(s)): x - m is exact for x near m, where
// precision matters. softmax.wgsl and log-softmax-nll.wgsl include it, so that their
// log-probabilities agree to the bit.
fn row_max_sum(base: u32, step: u32, count: u32) -> vec2<f32> {
  var m = -3.402823e38;
  for (var r = 0u; r < count; r++) { m = max(m, row_value(base + r * step)); }
  var s = 0.0;
  for (var r = 0u; r < count; r++) { s += exp(row_value(base + r * step) - m); }
  return vec2<f32>(m, s);
}
