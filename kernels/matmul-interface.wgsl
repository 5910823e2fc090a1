// What every matmul kernel shares (kernels/matmul*.wgsl include it): the params, the bias
// binding, the epilogue flags, and where each product of a batch starts. Each kernel declares a (binding 0), b (binding 1) and out
// (binding 3) itself, as f32 or vec4<f32>.
struct Params {
  M: u32, N: u32, K: u32, off_a: u32,
  off_b: u32, off_bias: u32, sa0: u32, sa1: u32,
  sb0: u32, sb1: u32, epilogue: u32, sab: u32,
  sbb: u32,
}

@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> p: Params;

// The epilogue's flags are params, not override constants: one compiled pipeline serves
// matmul, linear and linear+ReLU (lavapipe compiles each pipeline in up to a second).
const EPILOGUE_BIAS: u32 = 1u;
const EPILOGUE_RELU: u32 = 2u;

#include "relu-keep-nan.wgsl"

fn relu_keep_nan4(v: vec4<f32>) -> vec4<f32> {
  return select(max(v, vec4<f32>(0.0)), v, (bitcast<vec4<u32>>(v) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u));
}

// A batched product is one dispatch whose workgroup_id.z is the batch index z: a and b of batch z
// start sab and sbb elements further on (0 for an operand broadcast over the batch); the output
// is contiguous, [batch, M, N]. A 2-D product is batch 0 of 1.
fn a_start(z: u32) -> u32 { return p.off_a + z * p.sab; }
fn b_start(z: u32) -> u32 { return p.off_b + z * p.sbb; }
fn out_start(z: u32) -> u32 { return z * p.M * p.N; }
// The CPU kernels' epilogue loops run over min(TM, M - row0) rows, a bound the shader compiler cannot know: with
// the constant bound TM, NIR unrolls the loop, and llvmpipe turns each unrolled masked store into
// per-lane code that took up to 0.4 s of a kernel's first dispatch (bench/findings.md).
