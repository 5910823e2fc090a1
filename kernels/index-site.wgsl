// What gather and scatter share (kernels/index.wgsl and kernels/scatter-add.wgsl include it, after
// declaring `out` at binding 2): along one dim, over up to 8 strided dims, each invocation takes
// one element of `index` (coordinates c, in index's shape) and r = index[c]; "c with r" is c with
// c[dim] = r. Strides are u32 and offsets sums of products: wrapping arithmetic keeps them exact.
// An index outside [0, size) sets device check p.check (see device-checks.ts) and is skipped.
struct Params {
  numel: u32, ndim: u32, dim: u32, size: u32,
  off_src: u32, off_index: u32, off_out: u32, check: u32,
  shape: array<u32, 8>,
  str_src: array<u32, 8>,
  str_index: array<u32, 8>,
  str_out: array<u32, 8>,
}

@group(0) @binding(0) var<storage, read> src: array<{{T}}>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(3) var<storage, read_write> checks: array<i32>;
@group(0) @binding(4) var<storage, read> p: Params;

const WG: u32 = 256u;

// Where one element of index reads (src) and writes (out); valid is false for an index out of range.
struct Site { src: u32, out: u32, valid: bool }

// `scatter` says which side's dim coordinate is the index value: out's (scatter) or src's (gather).
fn site(e: u32, scatter: bool) -> Site {
  var rem = e;
  var s = p.off_src;
  var o = p.off_out;
  var i = p.off_index;
  for (var d = i32(p.ndim) - 1; d >= 0; d--) {
    let c = rem % p.shape[d];
    rem = rem / p.shape[d];
    i += c * p.str_index[d];
    let indexed = u32(d) == p.dim;
    if (!indexed || scatter) { s += c * p.str_src[d]; }
    if (!indexed || !scatter) { o += c * p.str_out[d]; }
  }
  let r = index[i];
  if (r < 0 || u32(r) >= p.size) {
    checks[0] = i32(p.check);
    checks[1] = r;
    checks[2] = i32(p.size);
    checks[3] = i32(p.dim);
    return Site(s, o, false);
  }
  if (scatter) { o += u32(r) * p.str_out[p.dim]; } else { s += u32(r) * p.str_src[p.dim]; }
  return Site(s, o, true);
}

fn element(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

