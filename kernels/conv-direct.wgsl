// Direct convolution (see packages/tensor/src/ops/conv-direct.ts), no unfolded matrix, no layout
// copy: out [N, OC, OH, OW] (contiguous) = the convolution of a strided x [N, groups·Cg, H, W] with
// a strided weight view wv[group][o][c][kh][kw] (o < OCg, c < Cg), plus an optional bias, then
// the ReLU with `relu` (set by the peephole at submit that folds a following ReLU in). The input
// gradient of a stride-1 convolution is this kernel over the output gradient with the weight view
// transposed and flipped (negative strides), where skipping the kernel rows that fall in its
// padding matters most. Outputs are placed by dividing by N, OH and TILES,
// constants of the pipeline: llvmpipe has no vector integer division, but one by a constant
// becomes a multiply.
enable subgroups;

struct Params {
  off_x: u32, sxn: i32, sxc: i32, sxh: i32, sxw: i32,
  off_w: i32, swg: i32, swo: i32, swc: i32, swh: i32, sww: i32,
  H: i32, W: i32, OC: u32, OCg: u32, Cg: u32, blocks: u32,
  sh: i32, ph: i32, pw: i32, dh: i32,
  has_bias: u32, relu: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> wt: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read> p: Params;

#include "conv-sizes.wgsl"

#include "relu-keep-nan.wgsl"

// The input element at (n, channel, ih, iw), zero outside the image (the load stays in bounds).
fn input_at(base: i32, ih: i32, iw: i32) -> f32 {
  let inside = ih >= 0 && ih < p.H && iw >= 0 && iw < p.W;
  return select(0.0, x[max(base + ih * p.sxh + iw * p.sxw, 0)], inside);
}

// `main`: a workgroup is one subgroup of SG lanes; each lane owns TC adjacent outputs of one row
// for the workgroup's OCB channels. Per (c, kh) it loads the SPAN inputs its TC windows cover
// once, and the lanes load the OCB × KW weights of that kernel row together, SG at a time, and pass
// them round with subgroupShuffle: the shuffles' lanes are constants once the loops are unrolled,
// so every lane gets every weight without a load of its own.
const TC: u32 = {{TC}}u;
const SG: u32 = {{SG}}u;
const SW: i32 = {{SW}};
const DW: i32 = {{DW}};
const SPAN: u32 = (TC - 1u) * u32(SW) + u32((KW - 1) * DW) + 1u;
const ROW: u32 = OCB * u32(KW);
const ROW_LOADS: u32 = (ROW + SG - 1u) / SG;
// Column tiles per output row.
override TILES: u32;
// Whether a subgroup's lanes run across images (see main).
override ACROSS: bool;

@compute @workgroup_size(SG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  // Items are (n, oh, column tile); with ACROSS, where kernel rows can fall outside the image
  // (padding), (oh, column tile, n) with n fastest: the lanes of a subgroup share a row where they
  // can, and a kernel row outside the image for all of them is skipped.
  let items = N * OH * TILES;
  let start = (wid.x + wid.y * nwg.x) * SG;
  let item = min(start + lane, items - 1u);
  let group = wid.z / p.blocks;
  let o0 = (wid.z % p.blocks) * OCB;
  let n = select(item / (TILES * OH), item % N, ACROSS);
  let ow0 = select(item % TILES, (item / N) % TILES, ACROSS) * TC;
  let oh = select((item / TILES) % OH, item / (N * TILES), ACROSS);
  let ih0 = i32(oh) * p.sh - p.ph;
  let iw0 = i32(ow0) * SW - p.pw;
  let top = i32(min(start, items - 1u) / (N * TILES)) * p.sh - p.ph;
  let bottom = i32(min(start + SG - 1u, items - 1u) / (N * TILES)) * p.sh - p.ph;
  var acc: array<f32, OCB * TC>;
  for (var o = 0u; o < OCB; o++) {
    let b = select(0.0, bias[group * p.OCg + min(o0 + o, p.OCg - 1u)], p.has_bias != 0u);
    for (var t = 0u; t < TC; t++) { acc[o * TC + t] = b; }
  }
  // This lane's share of each kernel row's weights: entries lane, lane + SG, ... of [o][kw].
  var wofs: array<i32, ROW_LOADS>;
  for (var u = 0u; u < ROW_LOADS; u++) {
    let j = min(u * SG + lane, ROW - 1u);
    wofs[u] = p.off_w + i32(group) * p.swg + i32(min(o0 + j / u32(KW), p.OCg - 1u)) * p.swo + i32(j % u32(KW)) * p.sww;
  }
  for (var c = 0u; c < p.Cg; c++) {
    let base = i32(p.off_x) + i32(n) * p.sxn + i32(group * p.Cg + c) * p.sxc;
    for (var kh = 0; kh < KH; kh++) {
      if (ACROSS && (bottom + kh * p.dh < 0 || top + kh * p.dh >= p.H)) { continue; }
      let wrow = i32(c) * p.swc + kh * p.swh;
      var wv: array<f32, ROW_LOADS>;
      for (var u = 0u; u < ROW_LOADS; u++) { wv[u] = wt[wofs[u] + wrow]; }
      let ih = ih0 + kh * p.dh;
      var xin: array<f32, SPAN>;
      for (var s = 0u; s < SPAN; s++) { xin[s] = input_at(base, ih, iw0 + i32(s)); }
      for (var kw = 0u; kw < u32(KW); kw++) {
        for (var o = 0u; o < OCB; o++) {
          let k = o * u32(KW) + kw;
          let w = subgroupShuffle(wv[k / SG], k % SG);
          for (var t = 0u; t < TC; t++) {
            acc[o * TC + t] = fma(xin[t * u32(SW) + kw * u32(DW)], w, acc[o * TC + t]);
          }
        }
      }
    }
  }
  if (start + lane >= items) { return; }
  let plane = OH * OW;
  let first = (n * p.OC + group * p.OCg + o0) * plane + oh * OW + ow0;
  for (var o = 0u; o < OCB; o++) {
    for (var t = 0u; t < TC; t++) {
      let v = select(acc[o * TC + t], relu_keep_nan(acc[o * TC + t]), p.relu != 0u);
      if (o0 + o < p.OCg && ow0 + t < OW) { out[first + o * plane + t] = v; }
    }
  }
}

