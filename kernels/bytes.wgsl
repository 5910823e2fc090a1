// Reads uint8 data packed four to a u32 and writes {{OUT}}: out = (byte * scale - mean) / stdev.
// Rows of `row` bytes are taken in order, or picked by an int32 index when GATHER is set:
// the GPU-resident batch path (one dispatch gathers and normalizes a whole batch).
// With LABELS (and GATHER), the invocation that starts row i also writes labels_out[i] =
// labels[off_labels + index[i]]: a batch's images and its labels in one dispatch.
// WORDS > 0 (rows and offset whole u32 words, as MNIST's 784-byte rows are): each invocation
// converts WORDS consecutive words of a row, four outputs each, so that one load serves four bytes
// and one index load 4·WORDS (loads dominate on lavapipe: 4 words took a batch from about 0.4 to 0.25 ms).
struct Params { rows: u32, row: u32, offset: u32, count: u32, scale: f32, mean: f32, stdev: f32, off_index: u32, off_labels: u32 }

@group(0) @binding(0) var<storage, read> bytes: array<u32>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
// Outputs as vec4s, so that WORDS writes four at once; the one-byte path writes one component.
@group(0) @binding(2) var<storage, read_write> out: array<vec4<{{OUT}}>>;
@group(0) @binding(3) var<storage, read> labels: array<i32>;
@group(0) @binding(4) var<storage, read_write> labels_out: array<i32>;
@group(0) @binding(5) var<storage, read_write> checks: array<i32>;
@group(0) @binding(6) var<storage, read> p: Params;

override GATHER: bool = false;
override LABELS: bool = false;
override WORDS: u32 = 0u;
// Outputs per invocation.
override PER: u32 = max(1u, 4u * WORDS);
const WG: u32 = 256u;

fn normalize(byte: u32) -> {{OUT}} {
  return {{OUT}}((f32(byte) * p.scale - p.mean) / p.stdev);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = (gid.x + gid.y * nwg.x * WG) * PER;
  if (e >= p.count * p.row) { return; }
  let i = e / p.row;
  var r = i;
  if (GATHER) {
    let k = index[p.off_index + i];
    if (k < 0 || u32(k) >= p.rows) {
      checks[0] = 2;
      checks[1] = k;
      checks[2] = i32(p.rows);
      for (var j = 0u; j < PER; j++) { out[(e + j) / 4u][(e + j) % 4u] = {{OUT}}(0); }
      return;
    }
    r = u32(k);
    if (LABELS && e % p.row == 0u) { labels_out[i] = labels[p.off_labels + r]; }
  }
  let b = p.offset + r * p.row + e % p.row;
  if (WORDS > 0u) {
    // Bounded by the words left in the row (never fewer than WORDS), which the shader compiler
    // cannot know: a rolled loop compiles in a third of the time of the unrolled one.
    for (var j = 0u; j < min(WORDS, (p.row - e % p.row) / 4u); j++) {
      let word = bytes[b / 4u + j];
      let v = vec4<u32>(word, word >> 8u, word >> 16u, word >> 24u) & vec4<u32>(0xffu);
      out[e / 4u + j] = vec4<{{OUT}}>(normalize(v.x), normalize(v.y), normalize(v.z), normalize(v.w));
    }
  } else {
    out[e / 4u][e % 4u] = normalize((bytes[b / 4u] >> ((b % 4u) * 8u)) & 0xffu);
  }
}
