// Convolution as im2col + matmul (see packages/tensor/src/ops/conv.ts), for one group at a time.
// `main` (im2col) unfolds the group's input channels of a strided x [N, C, H, W] into the rows
// cols[n·OH·OW + oh·OW + ow, (c·KH + kh)·KW + kw] = x[n, c_off + c, oh·sh − ph + kh·dh, ow·sw − pw + kw·dw]
// (zero in the padding). `col2im` is its adjoint, the input gradient: it sums, for each element of
// the group's channels of a contiguous gx [N, C, H, W], the entries of gcols that read it. Each
// thread gathers its own element, so there are no atomics and no zeroing pass.
struct Params {
  N: u32, C: u32, c_off: u32, Cg: u32, H: u32, W: u32, OH: u32, OW: u32,
  KH: u32, KW: u32, sh: u32, sw: u32, ph: i32, pw: i32, dh: u32, dw: u32,
  off_x: u32, sxn: i32, sxc: i32, sxh: i32, sxw: i32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> p: Params;

const WG: u32 = 256u;

// One thread per row (one output position): llvmpipe has no vector integer division, so the
// divisions that place a row are done once per row, not once per element.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = gid.x + gid.y * nwg.x * WG;
  if (row >= p.N * p.OH * p.OW) { return; }
  let ow = row % p.OW;
  let oh = (row / p.OW) % p.OH;
  let n = row / (p.OH * p.OW);
  let ih0 = i32(oh * p.sh) - p.ph;
  let iw0 = i32(ow * p.sw) - p.pw;
  let base = i32(p.off_x) + i32(n) * p.sxn + i32(p.c_off) * p.sxc;
  var e = row * p.Cg * p.KH * p.KW;
  for (var c = 0u; c < p.Cg; c++) {
    for (var kh = 0u; kh < p.KH; kh++) {
      let ih = ih0 + i32(kh * p.dh);
      let inside_h = ih >= 0 && ih < i32(p.H);
      for (var kw = 0u; kw < p.KW; kw++) {
        let iw = iw0 + i32(kw * p.dw);
        var v = 0.0;
        if (inside_h && iw >= 0 && iw < i32(p.W)) {
          v = src[base + i32(c) * p.sxc + ih * p.sxh + iw * p.sxw];
        }
        dst[e] = v;
        e++;
      }
    }
  }
}

// The output index along one axis whose window reads input offset t (with stride s), or -1 for
// none; stride 1 skips the division.
fn window_of(t: i32, s: u32, size: u32) -> i32 {
  if (t < 0) { return -1; }
  var o = u32(t);
  if (s != 1u) {
    if (o % s != 0u) { return -1; }
    o = o / s;
  }
  if (o >= size) { return -1; }
  return i32(o);
}

@compute @workgroup_size(WG)
fn col2im(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= p.N * p.Cg * p.H * p.W) { return; }
  let w = e % p.W;
  let h = (e / p.W) % p.H;
  let c = (e / (p.W * p.H)) % p.Cg;
  let n = e / (p.W * p.H * p.Cg);
  let ckk = p.Cg * p.KH * p.KW;
  var acc = 0.0;
  for (var kh = 0u; kh < p.KH; kh++) {
    let oh = window_of(i32(h) + p.ph - i32(kh * p.dh), p.sh, p.OH);
    if (oh < 0) { continue; }
    for (var kw = 0u; kw < p.KW; kw++) {
      let ow = window_of(i32(w) + p.pw - i32(kw * p.dw), p.sw, p.OW);
      if (ow < 0) { continue; }
      acc += src[((n * p.OH + u32(oh)) * p.OW + u32(ow)) * ckk + (c * p.KH + kh) * p.KW + kw];
    }
  }
  dst[((n * p.C + p.c_off + c) * p.H + h) * p.W + w] = acc;
}
