// scatter_add: out[c with r] += src[c], with c and r as in index-site.wgsl: atomic, so linear in
// index's size whatever the repeats. WGSL has atomics on u32 and i32 only: out is atomic<u32> and
// each add a compare-and-swap on the bits of the {{T}} it holds.
@group(0) @binding(2) var<storage, read_write> out: array<atomic<u32>>;
#include "index-site.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = element(gid, nwg);
  if (e >= p.numel) { return; }
  let at = site(e, true);
  if (!at.valid) { return; }
  let v = src[at.src];
  // Retried until no other invocation wrote between the load and the swap.
  var old = atomicLoad(&out[at.out]);
  loop {
    let swapped = atomicCompareExchangeWeak(&out[at.out], old, bitcast<u32>(bitcast<{{T}}>(old) + v));
    if (swapped.exchanged) { break; }
    old = swapped.old_value;
  }
}
