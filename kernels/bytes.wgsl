// Reads uint8 data packed four to a u32 and writes {{OUT}}: out = (byte * scale - mean) / stdev.
// Rows of `row` bytes are taken in order, or picked by an int32 index when GATHER is set:
// the GPU-resident batch path (one dispatch gathers and normalizes a whole batch).
struct Params { rows: u32, row: u32, offset: u32, count: u32, scale: f32, mean: f32, stdev: f32, off_index: u32 }

@group(0) @binding(0) var<storage, read> bytes: array<u32>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<{{OUT}}>;
@group(0) @binding(3) var<storage, read_write> checks: array<i32>;
@group(0) @binding(4) var<storage, read> p: Params;

override GATHER: bool = false;
const WG: u32 = 256u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= p.count * p.row) { return; }
  let i = e / p.row;
  var r = i;
  if (GATHER) {
    let k = index[p.off_index + i];
    if (k < 0 || u32(k) >= p.rows) {
      checks[0] = 2;
      checks[1] = k;
      checks[2] = i32(p.rows);
      out[e] = {{OUT}}(0);
      return;
    }
    r = u32(k);
  }
  let b = p.offset + r * p.row + e % p.row;
  let byte = (bytes[b / 4u] >> ((b % 4u) * 8u)) & 0xffu;
  out[e] = {{OUT}}((f32(byte) * p.scale - p.mean) / p.stdev);
}
