import { record, setGradEnabled } from '../autograd-hooks.ts';
import { empty } from '../alloc.ts';
import { tidy } from '../memory.ts';
import type { Tensor } from '../tensor.ts';
import type { Device } from '../device/device.ts';
import { checkOptions } from '../options.ts';
import { runsDirect, type ConvPass, type ConvRunners } from '../tune/conv-tuning.ts';
import { checkDType, checkSameDevice, FLOATS } from './checks.ts';
import { directForward, directGradInput, directGradWeight, directPaths, type Geometry } from './conv-direct.ts';
import { copyInto } from './elementwise.ts';
import { grid, launch } from './gpu.ts';
import { linear, matmul } from './matmul.ts';
import { sum } from './reduce.ts';
import { contiguous, permute, reshape, squeeze, transpose, unsqueeze, view } from './views.ts';
import { checkSpatialInput, pair, windowCount, type Pair } from './window.ts';

/**
 * Convolution. On webgpu with subgroups it runs the direct kernels (conv-direct.ts): the forward,
 * the input gradient of stride-1 convolutions and the weight and bias gradients, with no unfolded
 * matrix and no layout copy, unless the tuner measured im2col faster for the pass's shape class on
 * this adapter (tune/conv-tuning.ts). Elsewhere, and for the input gradient of a strided convolution, it is
 * im2col + the matmul kernels: for each group, the input windows are unfolded into the rows of a
 * [N·OH·OW, Cg·KH·KW] matrix (kernels/conv.wgsl) and multiplied by the group's weight
 * [OCg, Cg·KH·KW]ᵀ with the bias in the product's epilogue; the input gradient is the product of
 * the output gradient with the weight folded back (col2im, a gather without atomics), the weight
 * gradient the product of the output gradient with the unfolded input. The CPU path is that too,
 * and is the reference the kernels are tested against. bench/findings.md has the measurements
 * behind the choice.
 */

/** The options of F.conv2d / F.conv1d after the weight and bias, as in PyTorch. */
export interface ConvOptions {
  /** The step between kernel applications along each spatial dim: 1 by default. */
  stride?: Pair;
  /** Zero padding on both sides of each dim, or 'valid' (none) or 'same' (output as large as the input; stride 1 only). */
  padding?: Pair | 'same' | 'valid';
  /** The spacing between kernel elements along each spatial dim: 1 by default. */
  dilation?: Pair;
  /** Split input and output channels into this many groups convolved separately: 1 by default. */
  groups?: number;
}
const CONV_OPTIONS = ['stride', 'padding', 'dilation', 'groups'] as const;

export function geometry(op: string, x: Tensor, weight: Tensor, options: ConvOptions): Geometry {
  const { stride = 1, padding = 0, dilation = 1, groups = 1 } = checkOptions(op, options, CONV_OPTIONS);
  const [N, C, H, W] = x.shape;
  const [OC, Cg, KH, KW] = weight.shape;
  const [sh, sw] = pair(op, 'stride', stride);
  const [dh, dw] = pair(op, 'dilation', dilation);
  if (sh <= 0 || sw <= 0) throw new RangeError('non-positive stride is not supported');
  if (dh <= 0 || dw <= 0) throw new RangeError('dilation should be greater than zero');
  if (!Number.isInteger(groups) || groups <= 0) throw new RangeError('non-positive groups is not supported');
  let before: [number, number];
  let after: [number, number];
  if (padding === 'same') {
    if (sh !== 1 || sw !== 1) throw new RangeError("padding='same' is not supported for strided convolutions");
    const total = [dh * (KH - 1), dw * (KW - 1)];
    before = [Math.floor(total[0] / 2), Math.floor(total[1] / 2)];
    after = [total[0] - before[0], total[1] - before[1]];
  } else if (padding === 'valid') {
    before = after = [0, 0];
  } else if (typeof padding === 'string') {
    throw new RangeError(`Invalid padding string '${padding}', should be one of ['valid', 'same']`);
  } else {
    before = after = pair(op, 'padding', padding);
    if (before[0] < 0 || before[1] < 0) throw new RangeError('negative padding is not supported');
  }
  if (OC % groups !== 0) {
    throw new RangeError(`Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size [${weight.shape.join(', ')}] instead`);
  }
  if (C !== Cg * groups) {
    throw new RangeError(
      `Given groups=${groups}, weight of size [${weight.shape.join(', ')}], expected input[${x.shape.join(', ')}] to have ${Cg * groups} channels, but got ${C} channels instead`,
    );
  }
  const paddedH = H + before[0] + after[0];
  const paddedW = W + before[1] + after[1];
  if (paddedH < dh * (KH - 1) + 1 || paddedW < dw * (KW - 1) + 1) {
    throw new RangeError(
      `Calculated padded input size per channel: (${paddedH} x ${paddedW}). Kernel size: (${dh * (KH - 1) + 1} x ${dw * (KW - 1) + 1}). Kernel size can't be greater than actual input size`,
    );
  }
  const OH = windowCount(H, KH, sh, before[0], after[0], dh);
  const OW = windowCount(W, KW, sw, before[1], after[1], dw);
  return { N, C, H, W, OC, Cg, KH, KW, OH, OW, sh, sw, ph: before[0], pw: before[1], dh, dw, groups };
}

function convParams(g: Geometry, group: number, x: Tensor | null) {
  const { N, C, Cg, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw } = g;
  const [sxn, sxc, sxh, sxw] = x ? x.strides : [0, 0, 0, 0];
  return { N, C, c_off: group * Cg, Cg, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw, off_x: x?.offset ?? 0, sxn, sxc, sxh, sxw };
}

/** The windows of group `group`'s channels of x as the rows of a [N·OH·OW, Cg·KH·KW] matrix. */
function im2col(x: Tensor, g: Geometry, group: number): Tensor {
  const rows = g.N * g.OH * g.OW;
  const ckk = g.Cg * g.KH * g.KW;
  const cols = empty([rows, ckk], x.dtype, x.device);
  if (x.device.type === 'cpu') {
    const src = x.storage.array;
    const dst = cols.storage.array;
    const [sn, sc, sh, sw] = x.strides;
    let e = 0;
    for (let n = 0; n < g.N; n++)
      for (let oh = 0; oh < g.OH; oh++)
        for (let ow = 0; ow < g.OW; ow++)
          for (let c = 0; c < g.Cg; c++)
            for (let kh = 0; kh < g.KH; kh++)
              for (let kw = 0; kw < g.KW; kw++, e++) {
                const ih = oh * g.sh - g.ph + kh * g.dh;
                const iw = ow * g.sw - g.pw + kw * g.dw;
                const inside = ih >= 0 && ih < g.H && iw >= 0 && iw < g.W;
                dst[e] = inside ? src[x.offset + n * sn + (group * g.Cg + c) * sc + ih * sh + iw * sw] : 0;
              }
  } else if (rows * ckk > 0) {
    launch('conv.im2col', { family: 'conv' }, [x, cols], convParams(g, group, x), grid(rows));
  }
  return cols;
}

/** Writes gx[:, group's channels] = the adjoint of im2col applied to gcols [N·OH·OW, Cg·KH·KW]. */
function col2im(gcols: Tensor, g: Geometry, group: number, gx: Tensor): void {
  if (gx.device.type === 'cpu') {
    const src = gcols.storage.array;
    const dst = gx.storage.array;
    const ckk = g.Cg * g.KH * g.KW;
    for (let n = 0; n < g.N; n++)
      for (let c = 0; c < g.Cg; c++) {
        const plane = (n * g.C + group * g.Cg + c) * g.H * g.W;
        for (let i = 0; i < g.H * g.W; i++) dst[plane + i] = 0;
        for (let oh = 0; oh < g.OH; oh++)
          for (let ow = 0; ow < g.OW; ow++)
            for (let kh = 0; kh < g.KH; kh++)
              for (let kw = 0; kw < g.KW; kw++) {
                const ih = oh * g.sh - g.ph + kh * g.dh;
                const iw = ow * g.sw - g.pw + kw * g.dw;
                if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                dst[plane + ih * g.W + iw] += src[gcols.offset + ((n * g.OH + oh) * g.OW + ow) * ckk + (c * g.KH + kh) * g.KW + kw];
              }
      }
  } else if (gx.numel() > 0) {
    launch('conv.col2im', { family: 'conv', entry: 'col2im' }, [gcols, gx], convParams(g, group, null), grid(g.N * g.Cg * g.H * g.W));
  }
}

/**
 * Runs fn with gradient recording off (the products inside a convolution are its own business),
 * freeing every tensor it made but those it returns.
 */
function untracked<T>(fn: () => T): T {
  const previous = setGradEnabled(false);
  try {
    return tidy(fn);
  } finally {
    setGradEnabled(previous);
  }
}

/** Group `group`'s rows of the weight as a [OCg, Cg·KH·KW] matrix. */
function groupWeight(weight: Tensor, g: Geometry, group: number): Tensor {
  const ocg = g.OC / g.groups;
  return reshape(weight, [g.OC, g.Cg * g.KH * g.KW]).narrow(0, group * ocg, ocg);
}

/** Each pass by the direct kernels and by im2col + the matmul kernels, for the tuner's trials (no bias). */
export const CONV_RUNNERS: Readonly<Record<ConvPass, ConvRunners>> = {
  forward: {
    direct: ({ x, weight }, g) => directForward(x, weight, null, g),
    unfolded: ({ x, weight }, g) => unfoldedForward(x, weight, null, g),
  },
  gradInput: {
    direct: ({ grad, weight }, g) => directGradInput(grad, weight, g),
    unfolded: ({ grad, x, weight }, g) => unfoldedBackward(grad, x, weight, g, true, false)[0]!,
  },
  gradWeight: {
    direct: ({ grad, x }, g) => directGradWeight(grad, x, g, false).weight,
    unfolded: ({ grad, x, weight }, g) => unfoldedBackward(grad, x, weight, g, false, true)[1]!,
  },
};

/** Whether `pass` runs by the direct kernel: where one can run it (`possible`), as the tuner chose. */
function useDirect(device: Device, pass: ConvPass, g: Geometry, possible: boolean): boolean {
  return possible && runsDirect(device, pass, g, CONV_RUNNERS[pass]);
}

function forward(x: Tensor, weight: Tensor, bias: Tensor | null, g: Geometry): Tensor {
  if (useDirect(x.device, 'forward', g, directPaths(x.device, g).forward)) return directForward(x, weight, bias, g);
  return untracked(() => unfoldedForward(x, weight, bias, g));
}

/** The forward by im2col and the matmul kernels: the CPU reference, and webgpu's where the direct kernel cannot run or is slower. */
function unfoldedForward(x: Tensor, weight: Tensor, bias: Tensor | null, g: Geometry): Tensor {
  const ocg = g.OC / g.groups;
  const rowsCount = g.N * g.OH * g.OW;
  let rows = g.groups === 1 ? null : empty([rowsCount, g.OC], x.dtype, x.device);
  for (let group = 0; group < g.groups; group++) {
    const part = linear(im2col(x, g, group), groupWeight(weight, g, group), bias?.narrow(0, group * ocg, ocg) ?? null);
    if (!rows) rows = part;
    else copyInto(rows.narrow(1, group * ocg, ocg), part);
  }
  return contiguous(permute(view(rows!, [g.N, g.OH, g.OW, g.OC]), [0, 3, 1, 2]));
}

function backward(grad: Tensor, x: Tensor, weight: Tensor, g: Geometry, wantX: boolean, wantW: boolean, wantB: boolean): (Tensor | null)[] {
  return untracked(() => {
    const paths = directPaths(x.device, g);
    const directX = wantX && useDirect(x.device, 'gradInput', g, paths.gradInput);
    const directW = wantW && useDirect(x.device, 'gradWeight', g, paths.gradWeight);
    const gx = directX ? directGradInput(grad, weight, g) : null;
    const direct = directW ? directGradWeight(grad, x, g, wantB) : null;
    const gw = direct?.weight ?? null;
    const gb = direct?.bias ?? (wantB ? sum(grad, [0, 2, 3]) : null);
    if ((wantX && !directX) || (wantW && !directW)) {
      const [ux, uw] = unfoldedBackward(grad, x, weight, g, wantX && !directX, wantW && !directW);
      return [gx ?? ux, gw ?? uw, gb];
    }
    return [gx, gw, gb];
  });
}

/** The gradients by im2col and the matmul kernels: the CPU reference, and webgpu's where the direct kernels cannot run or are slower. */
function unfoldedBackward(grad: Tensor, x: Tensor, weight: Tensor, g: Geometry, wantX: boolean, wantW: boolean): (Tensor | null)[] {
  const ocg = g.OC / g.groups;
  const gRows = view(contiguous(permute(grad, [0, 2, 3, 1])), [g.N * g.OH * g.OW, g.OC]);
  const gx = wantX ? empty(x.shape, x.dtype, x.device) : null;
  let gw = wantW && g.groups > 1 ? empty(weight.shape, weight.dtype, weight.device) : null;
  for (let group = 0; group < g.groups; group++) {
    const gPart = gRows.narrow(1, group * ocg, ocg);
    if (wantW) {
      const part = matmul(transpose(gPart, 0, 1), im2col(x, g, group));
      if (g.groups === 1) gw = view(part, weight.shape);
      else copyInto(view(gw!, [g.OC, g.Cg * g.KH * g.KW]).narrow(0, group * ocg, ocg), part);
    }
    if (gx) col2im(matmul(gPart, groupWeight(weight, g, group)), g, group, gx);
  }
  return [gx, gw];
}

function checkConvInputs(op: string, x: Tensor, weight: Tensor, bias: Tensor | null, spatial: number): void {
  checkSameDevice(bias ? [x, weight, bias] : [x, weight]);
  checkDType(op, x, FLOATS);
  checkDType(op, weight, [x.dtype], 'weight');
  if (bias) checkDType(op, bias, [x.dtype], 'bias');
  checkSpatialInput(op, x.shape, spatial + 1);
  if (weight.ndim !== spatial + 2) {
    throw new RangeError(`${op}: expected a ${spatial + 2}-D weight [out_channels, in_channels/groups, kernel...], found size [${weight.shape.join(', ')}]`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new RangeError(
      `Given weight of size [${weight.shape.join(', ')}], expected bias to be 1-dimensional with ${weight.shape[0]} elements, but got bias of size [${bias.shape.join(', ')}] instead`,
    );
  }
}

/** Batched 4-D input for the batched-or-unbatched ops: the batch of one is added and dropped again. */
function batched(x: Tensor, batchedRank: number, fn: (x: Tensor) => Tensor): Tensor {
  return x.ndim === batchedRank ? fn(x) : squeeze(fn(unsqueeze(x, 0)), 0);
}

/**
 * 2-D convolution over input [N, C, H, W] (or unbatched [C, H, W]) with weight
 * [out_channels, C/groups, KH, KW] and an optional bias [out_channels], like F.conv2d.
 */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvOptions = {}): Tensor {
  checkConvInputs('conv2d', input, weight, bias, 2);
  return batched(input, 4, (x) => {
    const g = geometry('conv2d', x, weight, options);
    const out = forward(x, weight, bias, g);
    const inputs = bias ? [x, weight, bias] : [x, weight];
    return record('Convolution', inputs, out, [x, weight], (grad, [sx, sw]) =>
      backward(grad, sx, sw, g, x.requiresGrad, weight.requiresGrad, bias?.requiresGrad ?? false),
    );
  });
}

/** 1-D convolution over input [N, C, L] (or [C, L]) with weight [out_channels, C/groups, K], like F.conv1d. */
export function conv1d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvOptions = {}): Tensor {
  checkConvInputs('conv1d', input, weight, bias, 1);
  const { stride = 1, padding = 0, dilation = 1, groups = 1 } = checkOptions('conv1d', options, CONV_OPTIONS);
  const one = (name: string, v: Pair): number => {
    if (typeof v !== 'number') throw new TypeError(`conv1d: ${name} must be an integer, found ${JSON.stringify(v)}`);
    return v;
  };
  const padding2d = typeof padding === 'string' ? padding : ([0, one('padding', padding)] as const);
  const options2d = { stride: [1, one('stride', stride)] as const, padding: padding2d, dilation: [1, one('dilation', dilation)] as const, groups };
  const out = conv2d(unsqueeze(input, -2), unsqueeze(weight, 2), bias, options2d);
  return squeeze(out, -2);
}
