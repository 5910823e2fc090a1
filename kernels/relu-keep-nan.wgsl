// An epilogue's ReLU is torch.relu (elementwise.wgsl's): max(v, 0), but NaN stays NaN, so that a
// product or a convolution with the ReLU fused (webgpu.ts's peephole: linear+relu,
// conv2d.direct+relu) gives what the two ops give.
fn relu_keep_nan(v: f32) -> f32 {
  return select(max(v, 0.0), v, (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u);
}
