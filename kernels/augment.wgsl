// Random geometric augmentations of a batch of images [B, C, H, W] (float32) into [B, C, OH, OW]:
// every output pixel takes its nearest source pixel, or `fill` outside the image. Each sample's
// random numbers come from a hash of (seed, sample, k), so that one seed per batch, drawn on the
// host from the library's Generator, makes the batch reproducible with no upload; the CPU
// reference (packages/data/src/augment.ts) computes the same hash and the same mapping.
// KIND 0: horizontal flip with probability a0.
// KIND 1: crop at a random offset of the image padded by a0 (top), a1 (left), a2 (bottom), a3 (right).
// KIND 2: rotation by a uniform angle in [a0, a1] degrees (counter-clockwise) about the image
//         centre, then a translation by whole pixels uniform in ±a2 (x) and ±a3 (y), rounded.
struct Params {
  batch: u32, channels: u32, in_h: u32, in_w: u32,
  out_h: u32, out_w: u32, seed: u32, fill: f32,
  a0: f32, a1: f32, a2: f32, a3: f32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> p: Params;

override KIND: u32 = 0u;
const WG: u32 = 256u;
const PI: f32 = 3.14159265358979;

fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

// A uniform number in [0, 1) with 24 bits, exact in f32.
fn uniform(sample: u32, k: u32) -> f32 {
  return f32(pcg(p.seed ^ pcg(sample * 4u + k)) >> 8u) / 16777216.0;
}

// Rounds half away from zero, as JavaScript's Math.round does not: both sides use this rule.
fn round_half_up(v: f32) -> f32 {
  return floor(v + 0.5);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * WG;
  let plane = p.out_h * p.out_w;
  if (e >= p.batch * p.channels * plane) { return; }
  let b = e / (p.channels * plane);
  let c = (e / plane) % p.channels;
  let y = (e % plane) / p.out_w;
  let x = e % p.out_w;
  var sx = f32(x);
  var sy = f32(y);
  if (KIND == 0u) {
    if (uniform(b, 0u) < p.a0) { sx = f32(p.in_w - 1u - x); }
  } else if (KIND == 1u) {
    let top = floor(uniform(b, 0u) * (f32(p.in_h) + p.a0 + p.a2 - f32(p.out_h) + 1.0));
    let left = floor(uniform(b, 1u) * (f32(p.in_w) + p.a1 + p.a3 - f32(p.out_w) + 1.0));
    sy = f32(y) + top - p.a0;
    sx = f32(x) + left - p.a1;
  } else {
    let angle = (p.a0 + uniform(b, 0u) * (p.a1 - p.a0)) * PI / 180.0;
    let tx = round_half_up(-p.a2 + uniform(b, 1u) * 2.0 * p.a2);
    let ty = round_half_up(-p.a3 + uniform(b, 2u) * 2.0 * p.a3);
    let cx = (f32(p.in_w) - 1.0) * 0.5;
    let cy = (f32(p.in_h) - 1.0) * 0.5;
    let ex = f32(x) - cx - tx;
    let ey = f32(y) - cy - ty;
    let cs = cos(angle);
    let sn = sin(angle);
    sx = round_half_up(ex * cs - ey * sn + cx);
    sy = round_half_up(ex * sn + ey * cs + cy);
  }
  var value = p.fill;
  if (sx >= 0.0 && sy >= 0.0 && sx < f32(p.in_w) && sy < f32(p.in_h)) {
    value = src[((b * p.channels + c) * p.in_h + u32(sy)) * p.in_w + u32(sx)];
  }
  dst[e] = value;
}
