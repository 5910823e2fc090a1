// gather:   out[c] = src[c with r]      (index_select is a gather with a spread index)
// scatter:  out[c with r] = src[c]      (among repeated r, one write wins, as on CUDA)
// with c and r as in index-site.wgsl.
@group(0) @binding(2) var<storage, read_write> out: array<{{T}}>;
#include "index-site.wgsl"

@compute @workgroup_size(WG)
fn gather(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = element(gid, nwg);
  if (e >= p.numel) { return; }
  let at = site(e, false);
  out[at.out] = select({{T}}(0), src[at.src], at.valid);
}

@compute @workgroup_size(WG)
fn scatter(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = element(gid, nwg);
  if (e >= p.numel) { return; }
  let at = site(e, true);
  if (at.valid) { out[at.out] = src[at.src]; }
}
