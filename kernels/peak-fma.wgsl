// The adapter's attainable multiply-add rate: each invocation runs `iterations` rounds of 8
// independent vec4 fma chains on registers (no memory traffic in the loop), then stores one sum
// so that nothing is optimized away. 64 flops per round per invocation (8 chains × 4 lanes × 2).
// Used by bench/matmul-peak.ts only, to bound what any matmul kernel can reach on this adapter.
struct Params { iterations: u32, scale: f32 }

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let seed = f32(gid.x) * 1e-7;
  let m = vec4<f32>(p.scale);
  var c0 = vec4<f32>(seed, seed + 1.0, seed + 2.0, seed + 3.0);
  var c1 = c0 + 1.0; var c2 = c0 + 2.0; var c3 = c0 + 3.0;
  var c4 = c0 + 4.0; var c5 = c0 + 5.0; var c6 = c0 + 6.0; var c7 = c0 + 7.0;
  for (var i = 0u; i < p.iterations; i++) {
    c0 = fma(c0, m, m); c1 = fma(c1, m, m); c2 = fma(c2, m, m); c3 = fma(c3, m, m);
    c4 = fma(c4, m, m); c5 = fma(c5, m, m); c6 = fma(c6, m, m); c7 = fma(c7, m, m);
  }
  let s = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7;
  out[gid.x] = s.x + s.y + s.z + s.w;
}
