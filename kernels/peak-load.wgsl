// The adapter's rate of the loads a matmul's operands take: each invocation sums `iterations` vec4
// loads from a storage buffer at an address of its own (invocation i reads from element 17·i mod
// span on), four independent sums, and stores one value so that nothing is optimized away. On
// llvmpipe such a load runs lane by lane, each value with its own bounds test, and costs as much
// as dozens of multiply-adds (bench/findings.md). Used by bench/matmul-peak.ts only.
struct Params { iterations: u32, span: u32 }

@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let base = (gid.x * 17u) % p.span;
  var s0 = vec4<f32>(0.0); var s1 = vec4<f32>(0.0); var s2 = vec4<f32>(0.0); var s3 = vec4<f32>(0.0);
  for (var i = 0u; i < p.iterations; i += 4u) {
    s0 += src[base + i]; s1 += src[base + i + 1u]; s2 += src[base + i + 2u]; s3 += src[base + i + 3u];
  }
  let s = s0 + s1 + s2 + s3;
  out[gid.x] = s.x + s.y + s.z + s.w;
}
