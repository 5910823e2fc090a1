// 2-D pooling over the planes of x [N, C, H, W] (read through its strides), output [N, C, OH, OW].
// Forward entries work per output; backward entries per input element, gathering the gradient of
// every window that covers it, so there are no atomics.
// - main / max_backward: max pooling with dilation; `idx` holds each output's argmax as h·W + w
//   (PyTorch's indices), which the backward compares against.
// - avg_forward / avg_backward: average pooling, PyTorch's divisor rules (count_include_pad, the
//   padding beyond the input never counted, divisor_override when nonzero).
// - adaptive_forward / adaptive_backward: window [⌊o·H/OH⌋, ⌈(o+1)·H/OH⌉) along each dim.
// Backward entries read g [N·C, OH, OW] contiguous from off_x and write gx [N·C, H, W] contiguous;
// max_backward_tiled is max_backward for windows that tile the input (per output).
// With RELU_MASK, the max-pool backward entries also apply the backward of the ReLU that made
// their input: the gradient is kept only where `mask` (that ReLU's output, [N·C, H, W] contiguous
// from off_m) is > 0, relu backward's test, element for element as its own kernel would.
struct Params {
  planes: u32, ph: i32, pw: i32, dh: u32, dw: u32,
  count_include_pad: u32, divisor: i32,
  off_x: u32, sxn: i32, sxc: i32, sxh: i32, sxw: i32, off_m: u32,
}

// The sizes are constants of the pipeline: llvmpipe has no vector integer division, and the
// divisions by them (placing each element, testing window strides) become multiplies.
override C: u32;
override H: u32;
override W: u32;
override OH: u32;
override OW: u32;
override KH: u32;
override KW: u32;
override SH: u32;
override SW: u32;
override RELU_MASK: bool = false;
// Every window of the forward lies inside the input (no padding, no ceil mode's overhang): no bounds to test.
override INSIDE: bool = false;

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> idx: array<i32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> mask: array<f32>;
@group(0) @binding(4) var<storage, read> p: Params;

const WG: u32 = 256u;

// Each entry's work is a function of one element (`*_at`), called for every element the grid
// strides over: the host dispatches fewer threads than elements (see pool.ts).
fn flat(gid: vec3<u32>, nwg: vec3<u32>) -> u32 { return gid.x + gid.y * nwg.x * WG; }
fn threads(nwg: vec3<u32>) -> u32 { return nwg.x * nwg.y * WG; }

// From the bits: the compiler may assume that `v != v` is false (lavapipe's does).
fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }

/** Whether the gradient passes input element e of the max-pool backward: always, or (RELU_MASK) where the ReLU's output is > 0. */
fn passes(e: u32) -> bool { return !RELU_MASK || mask[p.off_m + e] > 0.0; }

/** The strided input element (plane, ih, iw). */
fn input_at(plane: u32, ih: i32, iw: i32) -> f32 {
  let n = i32(plane / C);
  let c = i32(plane % C);
  return src[i32(p.off_x) + n * p.sxn + c * p.sxc + ih * p.sxh + iw * p.sxw];
}

fn max_forward_at(e: u32) {
  let ow = e % OW;
  let oh = (e / OW) % OH;
  let plane = e / (OW * OH);
  var best = 0.0;
  var best_index = -1;
  for (var kh = 0u; kh < KH; kh++) {
    let ih = i32(oh * SH + kh * p.dh) - p.ph;
    if (!INSIDE && (ih < 0 || ih >= i32(H))) { continue; }
    for (var kw = 0u; kw < KW; kw++) {
      let iw = i32(ow * SW + kw * p.dw) - p.pw;
      if (!INSIDE && (iw < 0 || iw >= i32(W))) { continue; }
      let v = input_at(plane, ih, iw);
      if (best_index < 0 || v > best || is_nan(v)) {
        best = v;
        best_index = ih * i32(W) + iw;
      }
    }
  }
  dst[e] = best;
  idx[e] = best_index;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var e = flat(gid, nwg); e < p.planes * OH * OW; e += threads(nwg)) { max_forward_at(e); }
}

fn max_backward_at(e: u32) {
  let w = i32(e % W);
  let h = i32((e / W) % H);
  let plane = e / (W * H);
  let here = h * i32(W) + w;
  var acc = 0.0;
  if (!passes(e)) {
    dst[e] = acc;
    return;
  }
  for (var kh = 0u; kh < KH; kh++) {
    let th = h + p.ph - i32(kh * p.dh);
    if (th < 0 || th % i32(SH) != 0 || u32(th) / SH >= OH) { continue; }
    let oh = u32(th) / SH;
    for (var kw = 0u; kw < KW; kw++) {
      let tw = w + p.pw - i32(kw * p.dw);
      if (tw < 0 || tw % i32(SW) != 0 || u32(tw) / SW >= OW) { continue; }
      let o = (plane * OH + oh) * OW + u32(tw) / SW;
      if (idx[o] == here) { acc += src[p.off_x + o]; }
    }
  }
  dst[e] = acc;
}

@compute @workgroup_size(WG)
fn max_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var e = flat(gid, nwg); e < p.planes * H * W; e += threads(nwg)) { max_backward_at(e); }
}

// max_backward where the windows tile the input exactly (stride = kernel, no padding, no
// dilation, OH·SH = H, OW·SW = W): each output writes its whole window, the gradient
// at the argmax and zero elsewhere, so that nothing is gathered.
fn max_backward_tiled_at(e: u32) {
  let ow = e % OW;
  let oh = (e / OW) % OH;
  let plane = e / (OW * OH);
  let best = idx[e];
  let g = select(0.0, src[p.off_x + e], passes(plane * H * W + u32(best)));
  for (var kh = 0u; kh < KH; kh++) {
    let ih = oh * SH + kh;
    for (var kw = 0u; kw < KW; kw++) {
      let iw = ow * SW + kw;
      dst[(plane * H + ih) * W + iw] = select(0.0, g, best == i32(ih * W + iw));
    }
  }
}

@compute @workgroup_size(WG)
fn max_backward_tiled(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var e = flat(gid, nwg); e < p.planes * OH * OW; e += threads(nwg)) { max_backward_tiled_at(e); }
}

/** The divisor of the average over output (oh, ow)'s window. */
fn avg_divisor(oh: u32, ow: u32) -> f32 {
  if (p.divisor != 0) { return f32(p.divisor); }
  let h0 = i32(oh * SH) - p.ph;
  let w0 = i32(ow * SW) - p.pw;
  let h1 = min(h0 + i32(KH), i32(H) + p.ph);
  let w1 = min(w0 + i32(KW), i32(W) + p.pw);
  if (p.count_include_pad != 0u) { return f32((h1 - h0) * (w1 - w0)); }
  return f32((min(h1, i32(H)) - max(h0, 0)) * (min(w1, i32(W)) - max(w0, 0)));
}

fn avg_forward_at(e: u32) {
  let ow = e % OW;
  let oh = (e / OW) % OH;
  let plane = e / (OW * OH);
  let h0 = i32(oh * SH) - p.ph;
  let w0 = i32(ow * SW) - p.pw;
  var acc = 0.0;
  for (var ih = max(h0, 0); ih < min(h0 + i32(KH), i32(H)); ih++) {
    for (var iw = max(w0, 0); iw < min(w0 + i32(KW), i32(W)); iw++) { acc += input_at(plane, ih, iw); }
  }
  dst[e] = acc / avg_divisor(oh, ow);
}

@compute @workgroup_size(WG)
fn avg_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var e = flat(gid, nwg); e < p.planes * OH * OW; e += threads(nwg)) { avg_forward_at(e); }
}

fn avg_backward_at(e: u32) {
  let w = i32(e % W);
  let h = i32((e / W) % H);
  let plane = e / (W * H);
  var acc = 0.0;
  for (var kh = 0u; kh < KH; kh++) {
    let th = h + p.ph - i32(kh);
    if (th < 0 || th % i32(SH) != 0 || u32(th) / SH >= OH) { continue; }
    let oh = u32(th) / SH;
    for (var kw = 0u; kw < KW; kw++) {
      let tw = w + p.pw - i32(kw);
      if (tw < 0 || tw % i32(SW) != 0 || u32(tw) / SW >= OW) { continue; }
      let ow = u32(tw) / SW;
      acc += src[p.off_x + (plane * OH + oh) * OW + ow] / avg_divisor(oh, ow);
    }
  }
  dst[e] = acc;
}

@compute @workgroup_size(WG)
fn avg_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var e = flat(gid, nwg); e < p.planes * H * W; e += threads(nwg)) { avg_backward_at(e); }
}

fn window_start(o: u32, size: u32, out: u32) -> u32 { return (o * size) / out; }
fn window_end(o: u32, size: u32, out: u32) -> u32 { return ((o + 1u) * size + out - 1u) / out; }

fn adaptive_forward_at(e: u32) {
  let ow = e % OW;
  let oh = (e / OW) % OH;
  let plane = e / (OW * OH);
  let h0 = window_start(oh, H, OH);
  let h1 = window_end(oh, H, OH);
  let w0 = window_start(ow, W, OW);
  let w1 = window_end(ow, W, OW);
  var acc = 0.0;
  for (var ih = h0; ih < h1; ih++) {
    for (var iw = w0; iw < w1; iw++) { acc += input_at(plane, i32(ih), i32(iw)); }
  }
  dst[e] = acc / f32((h1 - h0) * (w1 - w0));
}

@compute @workgroup_size(WG)
fn adaptive_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var e = flat(gid, nwg); e < p.planes * OH * OW; e += threads(nwg)) { adaptive_forward_at(e); }
}

fn adaptive_backward_at(e: u32) {
  let w = e % W;
  let h = (e / W) % H;
  let plane = e / (W * H);
  var acc = 0.0;
  for (var oh = 0u; oh < OH; oh++) {
    let h0 = window_start(oh, H, OH);
    let h1 = window_end(oh, H, OH);
    if (h < h0 || h >= h1) { continue; }
    for (var ow = 0u; ow < OW; ow++) {
      let w0 = window_start(ow, W, OW);
      let w1 = window_end(ow, W, OW);
      if (w < w0 || w >= w1) { continue; }
      acc += src[p.off_x + (plane * OH + oh) * OW + ow] / f32((h1 - h0) * (w1 - w0));
    }
  }
  dst[e] = acc;
}

@compute @workgroup_size(WG)
fn adaptive_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var e = flat(gid, nwg); e < p.planes * H * W; e += threads(nwg)) { adaptive_backward_at(e); }
}
