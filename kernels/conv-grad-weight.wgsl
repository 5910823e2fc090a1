// The weight gradient of a convolution (see packages/tensor/src/ops/conv-direct.ts):
// partial[s, g·OCg + o, c, kh, kw] = Σ over split s of the rows (n, oh) of
//   Σ_ow gy[n, g·OCg + o, oh, ow] · x[n, g·Cg + c, oh·sh − ph + kh·dh, ow·sw − pw + kw·dw].
// One workgroup per (group, block of OCB output channels, c, kh) and split s (x); each invocation
// keeps OCB × KW accumulators over its rows, then the workgroup sums them in shared memory.
// With has_bias, bias_out[s, g·OCg + o] = the same split's Σ of gy (the bias gradient).
// Rows are placed by dividing by OH, a constant of the pipeline (llvmpipe has no vector integer
// division; one by a constant becomes a multiply).
struct Params {
  off_x: u32, sxn: i32, sxc: i32, sxh: i32, sxw: i32,
  off_g: u32, sgn: i32, sgc: i32, sgh: i32, sgw: i32,
  H: i32, W: i32, OC: u32, OCg: u32, Cg: u32, blocks: u32,
  sh: i32, ph: i32, pw: i32, dh: i32,
  rows_per_split: u32, has_bias: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> gy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> bias_out: array<f32>;
@group(0) @binding(4) var<storage, read> p: Params;

#include "conv-sizes.wgsl"
const WG: u32 = 64u;

const SW: i32 = {{SW}};
const DW: i32 = {{DW}};
// Stride and dilation 1: the KW inputs of a window slide along the row, one new load per output.
const SLIDE: bool = SW == 1 && DW == 1;
const SLOTS: u32 = OCB * u32(KW);
// The bias gradient's sums ride along in the workgroups of (c = 0, kh = 0), which visit every row.
const BIAS: u32 = SLOTS;
const ALL: u32 = SLOTS + OCB;
var<workgroup> partial: array<f32, WG * ALL>;

// The input element at iw of a row, zero outside the image (the load stays in bounds).
fn input_at(xrow: i32, inside_h: bool, iw: i32) -> f32 {
  return select(0.0, x[max(xrow + iw * p.sxw, 0)], inside_h && iw >= 0 && iw < p.W);
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  // wid.y = ((group · blocks + block) · Cg + c) · KH + kh; wid.x = the split.
  let kh = i32(wid.y % u32(KH));
  let c = (wid.y / u32(KH)) % p.Cg;
  let gb = wid.y / (u32(KH) * p.Cg);
  let group = gb / p.blocks;
  let o0 = (gb % p.blocks) * OCB;
  let with_bias = p.has_bias != 0u && c == 0u && kh == 0;
  let xc = i32(p.off_x) + i32(group * p.Cg + c) * p.sxc;
  let gc = i32(p.off_g) + i32(group * p.OCg) * p.sgc;
  var acc: array<f32, ALL>;
  let end = min((wid.x + 1u) * p.rows_per_split, N * OH);
  for (var row = wid.x * p.rows_per_split + lid.x; row < end; row += WG) {
    let n = row / OH;
    let oh = row % OH;
    let ih = i32(oh) * p.sh - p.ph + kh * p.dh;
    let inside_h = ih >= 0 && ih < p.H;
    if (!inside_h && !with_bias) { continue; }
    let xrow = xc + i32(n) * p.sxn + ih * p.sxh;
    let grow = gc + i32(n) * p.sgn + i32(oh) * p.sgh;
    var win: array<f32, KW>;
    if (SLIDE) {
      for (var kw = 0; kw < KW - 1; kw++) { win[kw + 1] = input_at(xrow, inside_h, kw - p.pw); }
    }
    for (var ow = 0; ow < i32(OW); ow++) {
      var g: array<f32, OCB>;
      for (var o = 0u; o < OCB; o++) {
        g[o] = gy[grow + ow * p.sgw + i32(min(o0 + o, p.OCg - 1u)) * p.sgc];
        acc[BIAS + o] += g[o];
      }
      let iw0 = ow * SW - p.pw;
      if (SLIDE) {
        for (var kw = 0; kw < KW - 1; kw++) { win[kw] = win[kw + 1]; }
        win[KW - 1] = input_at(xrow, inside_h, iw0 + KW - 1);
      } else {
        for (var kw = 0; kw < KW; kw++) { win[kw] = input_at(xrow, inside_h, iw0 + kw * DW); }
      }
      for (var kw = 0; kw < KW; kw++) {
        for (var o = 0u; o < OCB; o++) {
          acc[o * u32(KW) + u32(kw)] = fma(g[o], win[kw], acc[o * u32(KW) + u32(kw)]);
        }
      }
    }
  }
  for (var j = 0u; j < ALL; j++) { partial[lid.x * ALL + j] = acc[j]; }
  workgroupBarrier();
  for (var j = lid.x; j < ALL; j += WG) {
    let o = select(j / u32(KW), j - BIAS, j >= BIAS);
    if (o0 + o >= p.OCg || (j >= BIAS && !with_bias)) { continue; }
    var total = 0.0;
    for (var l = 0u; l < WG; l++) { total += partial[l * ALL + j]; }
    let oc = group * p.OCg + o0 + o;
    if (j >= BIAS) {
      bias_out[wid.x * p.OC + oc] = total;
    } else {
      out[(((wid.x * p.OC + oc) * p.Cg + c) * u32(KH) + u32(kh)) * u32(KW) + j % u32(KW)] = total;
    }
  }
}
