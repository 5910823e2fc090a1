// Fills a contiguous range with one value: zeros, ones, full, zero_().
struct Params { numel: u32, offset: u32, value_f32: f32, value_i32: i32 }

@group(0) @binding(0) var<storage, read_write> out: array<{{T}}>;
@group(0) @binding(1) var<storage, read> p: Params;

const WG: u32 = 256u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.numel) { return; }
  out[p.offset + i] = {{T}}({{VALUE}});
}
