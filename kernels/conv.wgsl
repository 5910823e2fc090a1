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

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * WG;
  let ckk = p.Cg * p.KH * p.KW;
  if (e >= p.N * p.OH * p.OW * ckk) { return; }
  let row = e / ckk;
  let col = e % ckk;
  let n = row / (p.OH * p.OW);
  let oh = (row / p.OW) % p.OH;
  let ow = row % p.OW;
  let c = col / (p.KH * p.KW);
  let kh = (col / p.KW) % p.KH;
  let kw = col % p.KW;
  let ih = i32(oh * p.sh + kh * p.dh) - p.ph;
  let iw = i32(ow * p.sw + kw * p.dw) - p.pw;
  var v = 0.0;
  if (ih >= 0 && ih < i32(p.H) && iw >= 0 && iw < i32(p.W)) {
    v = src[i32(p.off_x) + i32(n) * p.sxn + i32(p.c_off + c) * p.sxc + ih * p.sxh + iw * p.sxw];
  }
  dst[e] = v;
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
    let th = i32(h) + p.ph - i32(kh * p.dh);
    if (th < 0 || th % i32(p.sh) != 0) { continue; }
    let oh = u32(th) / p.sh;
    if (oh >= p.OH) { continue; }
    for (var kw = 0u; kw < p.KW; kw++) {
      let tw = i32(w) + p.pw - i32(kw * p.dw);
      if (tw < 0 || tw % i32(p.sw) != 0) { continue; }
      let ow = u32(tw) / p.sw;
      if (ow >= p.OW) { continue; }
      acc += src[((n * p.OH + oh) * p.OW + ow) * ckk + (c * p.KH + kh) * p.KW + kw];
    }
  }
  dst[((n * p.C + p.c_off + c) * p.H + h) * p.W + w] = acc;
}
