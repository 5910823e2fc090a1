import { record, type FusedBackwardFn } from '../autograd-hooks.ts';
import { empty } from '../alloc.ts';
import type { Tensor } from '../tensor.ts';
import { sameShape } from '../shape.ts';
import { checkOptions } from '../options.ts';
import { checkDType, FLOATS } from './checks.ts';
import { launch, placeholder, stridingGrid } from './gpu.ts';
import { contiguous, squeeze, unsqueeze } from './views.ts';
import { checkSpatialInput, pair, windowCount, type Pair } from './window.ts';

/**
 * 2-D max, average and adaptive average pooling (kernels/pool.wgsl). Each backward gathers, for
 * each input element, the gradients of the windows that cover it (no atomics); max pooling
 * compares against the argmax indices its forward saved.
 */

/** The keyword arguments of F.max_pool2d after the kernel size. */
export interface MaxPoolOptions {
  /** The window step; the kernel size when omitted (PyTorch's stride=None). */
  stride?: Pair;
  /** Implicit padding (with -∞) on both sides of H and W: 0 by default. */
  padding?: Pair;
  /** The spacing between window elements: 1 by default. */
  dilation?: Pair;
  /** Round the output size up rather than down, so windows may start in the right/bottom padding: false by default. */
  ceilMode?: boolean;
}
/** The keyword arguments of F.avg_pool2d after the kernel size. */
export interface AvgPoolOptions {
  /** The window step; the kernel size when omitted (PyTorch's stride=None). */
  stride?: Pair;
  /** Implicit zero padding on both sides of H and W: 0 by default. */
  padding?: Pair;
  /** Round the output size up rather than down: false by default. */
  ceilMode?: boolean;
  /** Count the padding's zeros in each window's divisor: true by default. */
  countIncludePad?: boolean;
  /** Divide every window's sum by this number instead of its size; null/omitted: the window size. */
  divisorOverride?: number | null;
}

type Mode = 'max' | 'avg' | 'adaptive';

/** Sizes of one pooling: planes of [H, W] → [OH, OW], windows and PyTorch's divisor options. */
interface Geometry {
  N: number; C: number; H: number; W: number; OH: number; OW: number;
  KH: number; KW: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
  countIncludePad: boolean; divisor: number;
}

function windowGeometry(op: string, x: Tensor, kernelSize: Pair, options: MaxPoolOptions & AvgPoolOptions, dilated: boolean): Geometry {
  const [N, C, H, W] = x.shape;
  const [KH, KW] = pair(op, 'kernel_size', kernelSize);
  const [sh, sw] = options.stride === undefined || options.stride === null ? [KH, KW] : pair(op, 'stride', options.stride);
  const [ph, pw] = pair(op, 'padding', options.padding ?? 0);
  const [dh, dw] = pair(op, 'dilation', options.dilation ?? 1);
  if (KH <= 0 || KW <= 0) throw new RangeError(`${op}: kernel_size must be greater than zero, but got kH: ${KH} kW: ${KW}`);
  if (sh <= 0 || sw <= 0) throw new RangeError(`${op}: stride should be greater than zero, but got dH: ${sh} dW: ${sw}`);
  if (dh <= 0 || dw <= 0) throw new RangeError(`${op}: dilation should be greater than zero, but got dilationH: ${dh} dilationW: ${dw}`);
  const [eh, ew] = [dh * (KH - 1) + 1, dw * (KW - 1) + 1];
  if (ph < 0 || pw < 0 || ph > Math.floor(eh / 2) || pw > Math.floor(ew / 2)) {
    throw new RangeError(
      dilated
        ? `pad should be at most half of effective kernel size, but got pad=${ph > Math.floor(eh / 2) || ph < 0 ? ph : pw}, kernel_size=${ph > Math.floor(eh / 2) || ph < 0 ? KH : KW} and dilation=${ph > Math.floor(eh / 2) || ph < 0 ? dh : dw}`
        : 'pad should be smaller than or equal to half of kernel size',
    );
  }
  const ceil = options.ceilMode ?? false;
  const OH = windowCount(H, KH, sh, ph, ph, dh, ceil);
  const OW = windowCount(W, KW, sw, pw, pw, dw, ceil);
  if (OH <= 0 || OW <= 0) {
    throw new RangeError(`Given input size: (${C}x${H}x${W}). Calculated output size: (${C}x${OH}x${OW}). Output size is too small`);
  }
  const divisor = options.divisorOverride ?? 0;
  if (!Number.isInteger(divisor) || (options.divisorOverride != null && divisor === 0)) throw new RangeError('divisor must be not zero');
  return { N, C, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw, countIncludePad: options.countIncludePad ?? true, divisor };
}

function params(g: Geometry, x: Tensor) {
  const [sxn, sxc, sxh, sxw] = x.ndim === 4 ? x.strides : [0, 0, 0, 0];
  return {
    planes: g.N * g.C, ph: g.ph, pw: g.pw, dh: g.dh, dw: g.dw,
    count_include_pad: g.countIncludePad ? 1 : 0, divisor: g.divisor, off_x: x.offset, sxn, sxc, sxh, sxw, off_m: 0,
  };
}

/** Whether the windows tile the input exactly: each input element in exactly one window. */
function tilesInput(g: Geometry): boolean {
  return g.ph === 0 && g.pw === 0 && g.dh === 1 && g.dw === 1 && g.sh === g.KH && g.sw === g.KW && g.OH * g.sh === g.H && g.OW * g.sw === g.W;
}

/** Whether every window lies inside the input: no padding, and ceil mode adds no window past its end. */
function windowsInside(g: Geometry): boolean {
  return g.ph === 0 && g.pw === 0 && (g.OH - 1) * g.sh + (g.KH - 1) * g.dh < g.H && (g.OW - 1) * g.sw + (g.KW - 1) * g.dw < g.W;
}

/** The kernel's pipeline constants: the sizes it divides by (and, for max backward after a ReLU, its mask; for the max forward, whether it can skip the bounds tests). */
function spec(g: Geometry, entry: string, reluMask = false, inside = false) {
  const constants = { C: g.C, H: g.H, W: g.W, OH: g.OH, OW: g.OW, KH: g.KH, KW: g.KW, SH: g.sh, SW: g.sw, ...(reluMask && { RELU_MASK: 1 }), ...(inside && { INSIDE: 1 }) };
  return { family: 'pool', entry, constants };
}

/** PyTorch's adaptive windows along one dim: [⌊o·size/out⌋, ⌈(o+1)·size/out⌉). */
function adaptiveWindow(o: number, size: number, out: number): [number, number] {
  return [Math.floor((o * size) / out), Math.ceil(((o + 1) * size) / out)];
}

/** The divisor of the average over output (oh, ow)'s window, with PyTorch's rules. */
function avgDivisor(g: Geometry, oh: number, ow: number): number {
  if (g.divisor) return g.divisor;
  const [h0, w0] = [oh * g.sh - g.ph, ow * g.sw - g.pw];
  const [h1, w1] = [Math.min(h0 + g.KH, g.H + g.ph), Math.min(w0 + g.KW, g.W + g.pw)];
  if (g.countIncludePad) return (h1 - h0) * (w1 - w0);
  return (Math.min(h1, g.H) - Math.max(h0, 0)) * (Math.min(w1, g.W) - Math.max(w0, 0));
}

/** Input coordinates (ih, iw) that output (oh, ow)'s window reads, within the input. */
function* windowOf(mode: Mode, g: Geometry, oh: number, ow: number): Generator<[number, number]> {
  if (mode === 'adaptive') {
    const [h0, h1] = adaptiveWindow(oh, g.H, g.OH);
    const [w0, w1] = adaptiveWindow(ow, g.W, g.OW);
    for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) yield [ih, iw];
    return;
  }
  for (let kh = 0; kh < g.KH; kh++) {
    const ih = oh * g.sh - g.ph + kh * g.dh;
    if (ih < 0 || ih >= g.H) continue;
    for (let kw = 0; kw < g.KW; kw++) {
      const iw = ow * g.sw - g.pw + kw * g.dw;
      if (iw >= 0 && iw < g.W) yield [ih, iw];
    }
  }
}

function windowSize(mode: Mode, g: Geometry, oh: number, ow: number): number {
  if (mode === 'avg') return avgDivisor(g, oh, ow);
  const [h0, h1] = adaptiveWindow(oh, g.H, g.OH);
  const [w0, w1] = adaptiveWindow(ow, g.W, g.OW);
  return (h1 - h0) * (w1 - w0);
}

/** The pooled output (and, for max, the argmax of each window as h·W + w). */
function forward(mode: Mode, x: Tensor, g: Geometry): { out: Tensor; indices: Tensor | null } {
  const shape = [g.N, g.C, g.OH, g.OW];
  const out = empty(shape, x.dtype, x.device);
  const indices = mode === 'max' ? empty(shape, 'int32', x.device) : null;
  if (x.device.type === 'cpu') {
    const src = x.storage.array;
    const dst = out.storage.array;
    const idx = indices?.storage.array;
    const [sn, sc, sh, sw] = x.strides;
    let e = 0;
    for (let n = 0; n < g.N; n++)
      for (let c = 0; c < g.C; c++)
        for (let oh = 0; oh < g.OH; oh++)
          for (let ow = 0; ow < g.OW; ow++, e++) {
            let acc = mode === 'max' ? -Infinity : 0;
            let best = -1;
            for (const [ih, iw] of windowOf(mode, g, oh, ow)) {
              const v = src[x.offset + n * sn + c * sc + ih * sh + iw * sw];
              if (mode !== 'max') acc += v;
              else if (best < 0 || v > acc || Number.isNaN(v)) [acc, best] = [v, ih * g.W + iw];
            }
            dst[e] = mode === 'max' ? acc : acc / windowSize(mode, g, oh, ow);
            if (idx) idx[e] = best;
          }
  } else if (out.numel() > 0) {
    const entry = mode === 'max' ? 'main' : `${mode}_forward`;
    launch(`${mode}Pool2d`, spec(g, entry, false, mode === 'max' && windowsInside(g)), [x, indices ?? placeholder(x.device), out, x /* the unused mask slot */], params(g, x), stridingGrid(out.numel()));
  }
  return { out, indices };
}

/**
 * The gradient of the pooling's input from its output's; with `reluOut` (webgpu, max pooling, the
 * contiguous output of the ReLU that made the input), that ReLU's backward too, in the same kernel.
 */
function backward(mode: Mode, grad: Tensor, indices: Tensor | null, g: Geometry, reluOut?: Tensor): Tensor {
  const gc = contiguous(grad);
  const gx = empty([g.N, g.C, g.H, g.W], grad.dtype, grad.device);
  if (grad.device.type === 'cpu') {
    const src = gc.storage.array;
    const dst = gx.storage.array;
    const idx = indices?.storage.array;
    dst.fill(0);
    for (let plane = 0; plane < g.N * g.C; plane++)
      for (let oh = 0; oh < g.OH; oh++)
        for (let ow = 0; ow < g.OW; ow++) {
          const o = (plane * g.OH + oh) * g.OW + ow;
          const v = src[gc.offset + o];
          if (idx) {
            dst[plane * g.H * g.W + idx[indices!.offset + o]] += v;
            continue;
          }
          const share = v / windowSize(mode, g, oh, ow);
          for (const [ih, iw] of windowOf(mode, g, oh, ow)) dst[(plane * g.H + ih) * g.W + iw] += share;
        }
  } else if (gx.numel() > 0) {
    const idx = indices ? contiguous(indices) : placeholder(grad.device);
    const tiled = mode === 'max' && tilesInput(g);
    const label = `${mode}Pool2d${reluOut ? '+relu' : ''}.backward`;
    // The mask slot takes g where unused: the placeholder may already be bound, writable, as idx.
    const buffers = [gc, idx, gx, reluOut ?? gc];
    const values = { ...params(g, gc), sxn: 0, sxc: 0, sxh: 0, sxw: 0, off_m: reluOut?.offset ?? 0 };
    launch(label, spec(g, tiled ? 'max_backward_tiled' : `${mode}_backward`, reluOut !== undefined), buffers, values, stridingGrid(tiled ? gc.numel() : gx.numel()));
    if (indices && idx !== indices) idx.dispose();
  }
  if (gc !== grad) gc.dispose();
  return gx;
}

/** Runs one pooling on 4-D input or on 3-D unbatched input (a batch of one), recording its backward. */
function pool(op: string, mode: Mode, input: Tensor, geometryOf: (x: Tensor) => Geometry): { out: Tensor; indices: Tensor | null } {
  checkDType(op, input, FLOATS);
  checkSpatialInput(op, input.shape, 3);
  const x = input.ndim === 4 ? input : unsqueeze(input, 0);
  const g = geometryOf(x);
  const { out, indices } = forward(mode, x, g);
  const rules = mode === 'max' ? { rules: { Relu: reluThenMaxPool(g) } } : undefined;
  record(`${mode[0].toUpperCase()}${mode.slice(1)}Pool2d`, [x], out, indices ? [indices] : [], (grad, [ix]) => [backward(mode, grad, ix ?? null, g)], rules);
  if (input.ndim === 4) return { out, indices };
  return { out: squeeze(out, 0), indices: indices && squeeze(indices, 0) };
}

/**
 * max_pool2d(relu(x))'s backward in one kernel (webgpu): the max-pool backward keeps its result
 * where the ReLU's saved output is > 0, exactly the test of relu's own backward kernel, element
 * for element, so ties, NaN, padding and ceil mode give the two-kernel path's bits. Declines on
 * the cpu, and for a ReLU output that is not the pooling's input laid out contiguously.
 */
function reluThenMaxPool(g: Geometry): FusedBackwardFn {
  return (grad, [indices], inner) => {
    const [reluOut] = inner.savedTensors();
    const fits = reluOut.dtype === 'float32' && reluOut.isContiguous() && sameShape(reluOut.shape, [g.N, g.C, g.H, g.W]);
    if (grad.device.type === 'cpu' || !fits) return null;
    return [backward('max', grad, indices, g, reluOut)];
  };
}

const MAX_OPTIONS = ['stride', 'padding', 'dilation', 'ceilMode'] as const;
const AVG_OPTIONS = ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'] as const;

/**
 * Max pooling over [N, C, H, W] (or [C, H, W]), like F.max_pool2d with return_indices: the
 * output and the int32 index h·W + w of each window's maximum in its input plane.
 */
export function maxPool2dWithIndices(input: Tensor, kernelSize: Pair, options: MaxPoolOptions = {}): [Tensor, Tensor] {
  checkOptions('max_pool2d', options, MAX_OPTIONS);
  const { out, indices } = pool('max_pool2d', 'max', input, (x) => windowGeometry('max_pool2d', x, kernelSize, options, true));
  return [out, indices!];
}

/** Max pooling over [N, C, H, W] (or [C, H, W]), like F.max_pool2d. */
export function maxPool2d(input: Tensor, kernelSize: Pair, options: MaxPoolOptions = {}): Tensor {
  const [out, indices] = maxPool2dWithIndices(input, kernelSize, options);
  indices.dispose();
  return out;
}

/** Average pooling over [N, C, H, W] (or [C, H, W]), like F.avg_pool2d. */
export function avgPool2d(input: Tensor, kernelSize: Pair, options: AvgPoolOptions = {}): Tensor {
  checkOptions('avg_pool2d', options, AVG_OPTIONS);
  return pool('avg_pool2d', 'avg', input, (x) => windowGeometry('avg_pool2d', x, kernelSize, options, false)).out;
}

/** An adaptive output size: a number or a pair, null keeping the input's size along that dim. */
export type AdaptiveSize = number | readonly [number | null, number | null];

/** Average pooling to a fixed output size over [N, C, H, W] (or [C, H, W]), like F.adaptive_avg_pool2d. */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return pool('adaptive_avg_pool2d', 'adaptive', input, (x) => {
    const [N, C, H, W] = x.shape;
    const [oh, ow] = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
    const [OH, OW] = [oh ?? H, ow ?? W];
    if (!Number.isInteger(OH) || !Number.isInteger(OW) || OH <= 0 || OW <= 0) {
      throw new RangeError(`adaptive_avg_pool2d: output_size must be positive integers, found ${JSON.stringify(outputSize)}`);
    }
    if (H === 0 || W === 0) throw new RangeError(`adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes [${x.shape.join(', ')}]`);
    return { N, C, H, W, OH, OW, KH: 1, KW: 1, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1, countIncludePad: true, divisor: 0 };
  }).out;
}
