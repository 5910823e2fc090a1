// Dropout: out[i] = x[i]·scale where the element is kept, else 0. Element i is kept when the
// 24-bit uniform u(seed, i) ≥ p; u comes from a counter-based hash of the element's row-major
// index and the two seed words, so the backward (the same kernel applied to the output gradient
// with the same seed) drops the same elements, and the CPU reference (ops/dropout.ts) matches
// bit for bit.
struct Params { n: u32, off_x: u32, seed0: u32, seed1: u32, p: f32, scale: f32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> p: Params;

const WG: u32 = 256u;

// PCG's output permutation (O'Neill's pcg_hash), a good 32-bit integer mix.
fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let u = f32(pcg(pcg(i ^ p.seed0) ^ p.seed1) >> 8u) / 16777216.0;
  if (u >= p.p) { out[i] = x[p.off_x + i] * p.scale; } else { out[i] = 0.0; }
}
