// The weight gradient of a convolution (see packages/tensor/src/ops/conv-direct.ts):
// partial[s, g·OCg + o, c, kh, kw] = Σ over split s of the rows (n, oh) of
//   Σ_ow gy[n, g·OCg + o, oh, ow] · x[n, g·Cg + c, oh·sh − ph + kh·dh, ow·sw − pw + kw·dw].
// A workgroup is one subgroup of SG lanes for a block of OCB output channels and split s; each
// lane owns one kernel row (c, kh) of them, OCB × KW accumulators. Every lane needs the same
// output gradients: per tile of TW columns of a row the lanes load its OCB × TW values together,
// SG at a time, and pass them round with subgroupShuffle at lanes that are constants once the
// loops unroll; each lane loads the SPAN inputs its kernel row's windows cover once.
// With has_bias, bias_out[s, g·OCg + o] = the same split's Σ of gy (the bias gradient).
// Rows are placed by dividing by OH, a constant of the pipeline (llvmpipe has no vector integer
// division; one by a constant becomes a multiply).
enable subgroups;

struct Params {
  off_x: u32, sxn: i32, sxc: i32, sxh: i32, sxw: i32,
  off_g: u32, sgn: i32, sgc: i32, sgh: i32, sgw: i32,
  H: i32, W: i32, OC: u32, OCg: u32, Cg: u32, blocks: u32, row_blocks: u32,
  sh: i32, ph: i32, pw: i32, dh: i32,
  rows_per_split: u32, has_bias: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> gy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> bias_out: array<f32>;
@group(0) @binding(4) var<storage, read> p: Params;

#include "conv-sizes.wgsl"

const SG: u32 = {{SG}}u;
const TW: u32 = {{TW}}u;
const SW: i32 = {{SW}};
const DW: i32 = {{DW}};
const SPAN: u32 = (TW - 1u) * u32(SW) + u32((KW - 1) * DW) + 1u;
const TILE: u32 = OCB * TW;
const TILE_LOADS: u32 = (TILE + SG - 1u) / SG;

@compute @workgroup_size(SG)
fn main(@builtin(local_invocation_index) lane: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  // wid.y = (group · blocks + block) · row_blocks + the block of SG kernel rows; wid.x = the split.
  let kernel_rows = p.Cg * u32(KH);
  let kernel_row = (wid.y % p.row_blocks) * SG + lane;
  let mine = min(kernel_row, kernel_rows - 1u);
  let c = mine / u32(KH);
  let kh = i32(mine % u32(KH));
  let gb = wid.y / p.row_blocks;
  let group = gb / p.blocks;
  let o0 = (gb % p.blocks) * OCB;
  let xc = i32(p.off_x) + i32(group * p.Cg + c) * p.sxc;
  let gc = i32(p.off_g) + i32(group * p.OCg) * p.sgc;
  // This lane's share of a tile's output gradients: entries lane, lane + SG, ... of [o][t].
  var gofs: array<i32, TILE_LOADS>;
  var gok: array<bool, TILE_LOADS>;
  for (var u = 0u; u < TILE_LOADS; u++) {
    let j = min(u * SG + lane, TILE - 1u);
    gofs[u] = i32(min(o0 + j / TW, p.OCg - 1u)) * p.sgc + i32(j % TW) * p.sgw;
    gok[u] = u * SG + lane < TILE && o0 + j / TW < p.OCg;
  }
  var acc: array<f32, OCB * u32(KW)>;
  var sums: array<f32, OCB>;
  let end = min((wid.x + 1u) * p.rows_per_split, N * OH);
  for (var row = wid.x * p.rows_per_split; row < end; row++) {
    let n = row / OH;
    let oh = row % OH;
    let ih = i32(oh) * p.sh - p.ph + kh * p.dh;
    let inside_h = ih >= 0 && ih < p.H;
    let xrow = xc + i32(n) * p.sxn + ih * p.sxh;
    let grow = gc + i32(n) * p.sgn + i32(oh) * p.sgh;
    for (var tile = 0u; tile < (OW + TW - 1u) / TW; tile++) {
      let ow0 = tile * TW;
      var gv: array<f32, TILE_LOADS>;
      for (var u = 0u; u < TILE_LOADS; u++) {
        let t = min(u * SG + lane, TILE - 1u) % TW;
        gv[u] = select(0.0, gy[max(grow + gofs[u] + i32(ow0) * p.sgw, 0)], gok[u] && ow0 + t < OW);
      }
      let iw0 = i32(ow0) * SW - p.pw;
      var xin: array<f32, SPAN>;
      for (var s = 0u; s < SPAN; s++) {
        let iw = iw0 + i32(s);
        xin[s] = select(0.0, x[max(xrow + iw * p.sxw, 0)], inside_h && iw >= 0 && iw < p.W);
      }
      for (var t = 0u; t < TW; t++) {
        for (var o = 0u; o < OCB; o++) {
          let k = o * TW + t;
          let g = subgroupShuffle(gv[k / SG], k % SG);
          sums[o] += g;
          for (var kw = 0u; kw < u32(KW); kw++) {
            acc[o * u32(KW) + kw] = fma(g, xin[t * u32(SW) + kw * u32(DW)], acc[o * u32(KW) + kw]);
          }
        }
      }
    }
  }
  for (var o = 0u; o < OCB; o++) {
    if (o0 + o >= p.OCg) { continue; }
    let oc = group * p.OCg + o0 + o;
    if (p.has_bias != 0u && kernel_row == 0u) { bias_out[wid.x * p.OC + oc] = sums[o]; }
    if (kernel_row >= kernel_rows) { continue; }
    for (var kw = 0u; kw < u32(KW); kw++) {
      out[(((wid.x * p.OC + oc) * p.Cg + c) * u32(KH) + u32(kh)) * u32(KW) + kw] = acc[o * u32(KW) + kw];
    }
  }
}
