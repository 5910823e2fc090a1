// The elementwise part of linear's backward, in one pass over the output gradient g [M, N]
// (strided): gz = g · [y > 0] when RELU (y: the forward output, contiguous), else g, written out
// transposed, gzT [N, M], for the two products that follow (the weight gradient gzᵀ·x then reads
// its A along k, the faster way, and both take vec4 kernels whatever N is); and the bias gradient
// db[c] = Σ_r gz[r, c] when BIAS. One
// invocation per column, walking down the rows, so that neighbouring lanes read neighbouring
// elements.
struct Params { M: u32, N: u32, off_g: u32, gs0: u32, gs1: u32, off_y: u32 }

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> gzT: array<f32>;
@group(0) @binding(3) var<storage, read_write> db: array<f32>;
@group(0) @binding(4) var<storage, read> p: Params;

override RELU: bool = true;
override BIAS: bool = true;
const WG: u32 = 32u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.N) { return; }
  var s = 0.0;
  for (var r = 0u; r < p.M; r++) {
    var v = g[p.off_g + r * p.gs0 + c * p.gs1];
    if (RELU) { v = select(0.0, v, y[p.off_y + r * p.N + c] > 0.0); }
    gzT[c * p.M + r] = v;
    s += v;
  }
  if (BIAS) { db[c] = s; }
}
