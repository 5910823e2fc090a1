import { empty } from '../alloc.ts';
import type { Tensor } from '../tensor.ts';
import type { Device } from '../device/device.ts';
import { adapterTraits } from './matmul-plan.ts';
import { grid, launch, placeholder } from './gpu.ts';
import { sum } from './reduce.ts';
import { view } from './views.ts';

/**
 * The direct convolution kernels (kernels/conv-direct.wgsl) on WebGPU: the forward, the input
 * gradient of a stride-1 convolution (the forward over the output gradient with the weight
 * transposed and flipped) and the weight gradient, each reading its operands through their
 * strides and writing NCHW, so that no unfolded matrix and no layout copy is made.
 */

/** The sizes of one convolution: input [N, C, H, W], weight [OC, Cg, KH, KW], output [N, OC, OH, OW]. */
export interface Geometry {
  N: number; C: number; H: number; W: number;
  OC: number; Cg: number; KH: number; KW: number; OH: number; OW: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
  groups: number;
}

/** How the kernel reads the weight: element [group][o][c][kh][kw] at offset + Σ index × stride. */
interface WeightView {
  offset: number;
  group: number;
  o: number;
  c: number;
  kh: number;
  kw: number;
}

/** Output channels per lane of the forward and the weight gradient (register accumulators, with its columns or kernel row). */
const CHANNEL_BLOCK = 8;
/** Adjacent outputs of a row per lane of the forward, and per tile of the weight gradient, at most. */
const COLUMNS = 8;
/** Accumulators per lane of the weight gradient (output channels × KW), at most. */
const GRAD_WEIGHT_SLOTS = 48;
/**
 * Workgroups the weight gradient aims for, splitting the rows when its blocks are fewer: enough
 * to keep lavapipe's threads busy; the splits are summed by one more dispatch.
 */
const GRAD_WEIGHT_WORKGROUPS = 8;

/** WebGPU's default limit on workgroups along one dimension of a dispatch. */
const MAX_WORKGROUPS = 65535;

/** Blocks of at most `max` items splitting `count` evenly: [items per block, blocks]. */
function blocks(count: number, max: number): [number, number] {
  const n = Math.ceil(count / max);
  return [Math.ceil(count / n), n];
}

function stridesOf(t: Tensor) {
  return t.strides as readonly [number, number, number, number];
}

function naturalView(weight: Tensor, g: Geometry): WeightView {
  const [s0, s1, s2, s3] = stridesOf(weight);
  return { offset: weight.offset, group: (g.OC / g.groups) * s0, o: s0, c: s1, kh: s2, kw: s3 };
}

/**
 * The lanes of one subgroup on this device, or null where the direct forward cannot run: no
 * subgroups, or subgroups whose width the adapter may vary (a workgroup of that many lanes must
 * be exactly one subgroup for the shuffles).
 */
function directLanes(device: Device): number | null {
  if (device.type !== 'webgpu') return null;
  const sizes = adapterTraits(device.gpu).subgroups;
  return sizes && sizes[0] === sizes[1] ? sizes[0] : null;
}

/** Which of the direct kernels can run convolution g on `device` (the others go by im2col). */
export interface DirectPaths {
  forward: boolean;
  gradInput: boolean;
  gradWeight: boolean;
}

/** Which direct kernels run g on `device`: subgroups of a fixed width, stride 1 for the input gradient, dispatch limits. */
export function directPaths(device: Device, g: Geometry): DirectPaths {
  const lanes = directLanes(device);
  if (lanes === null) return { forward: false, gradInput: false, gradWeight: false };
  const channelBlocks = (channels: number) => g.groups * blocks(channels, CHANNEL_BLOCK)[1] <= MAX_WORKGROUPS;
  return {
    forward: channelBlocks(g.OC / g.groups),
    gradInput: g.sh === 1 && g.sw === 1 && channelBlocks(g.Cg),
    gradWeight: g.KW <= GRAD_WEIGHT_SLOTS && gradWeightLayout(g, lanes).workgroups <= MAX_WORKGROUPS,
  };
}

/**
 * Whether some kernel row falls outside the image for some output row (padding): the forward's
 * lanes then run across images, so that a subgroup can skip such rows together (measured: faster
 * where padding is, slower where none is, see bench/findings.md).
 */
function rowsOutside(g: Geometry): boolean {
  return g.ph > 0 || (g.OH - 1) * g.sh - g.ph + (g.KH - 1) * g.dh >= g.H;
}

/** out [N, OC, OH, OW] = the convolution of g's geometry of x with the weight read through `w`. */
function convolve(x: Tensor, weight: Tensor, w: WeightView, bias: Tensor | null, g: Geometry): Tensor {
  const out = empty([g.N, g.OC, g.OH, g.OW], x.dtype, x.device);
  if (out.numel() === 0) return out;
  const lanes = directLanes(x.device);
  if (lanes === null) throw new Error('the direct convolution needs subgroups');
  const [block, count] = blocks(g.OC / g.groups, CHANNEL_BLOCK);
  const [columns, tiles] = blocks(g.OW, COLUMNS);
  const spec = {
    family: 'conv-direct',
    template: { KW: String(g.KW), OCB: String(block), TC: String(columns), SG: String(lanes), SW: String(g.sw), DW: String(g.dw) },
    constants: { N: g.N, OH: g.OH, OW: g.OW, KH: g.KH, TILES: tiles, ACROSS: Number(rowsOutside(g)) },
  };
  const [sxn, sxc, sxh, sxw] = stridesOf(x);
  const params = {
    off_x: x.offset, sxn, sxc, sxh, sxw,
    off_w: w.offset, swg: w.group, swo: w.o, swc: w.c, swh: w.kh, sww: w.kw,
    H: g.H, W: g.W, OC: g.OC, OCg: g.OC / g.groups, Cg: g.Cg, blocks: count,
    sh: g.sh, ph: g.ph, pw: g.pw, dh: g.dh,
    has_bias: bias ? 1 : 0, relu: 0,
  };
  const [gx, gy] = grid(g.N * g.OH * tiles, lanes);
  // The peephole at submit may fold a ReLU over the whole output in (the max keeps NaN, as relu does).
  const fusion = { reluEpilogue: { out: out.storage.buffer, outBinding: 3, elements: out.numel(), withRelu: { ...params, relu: 1 } } };
  launch('conv2d.direct', spec, [x, weight, bias ?? placeholder(x.device), out], params, [gx, gy, g.groups * count], fusion);
  return out;
}

/** conv2d's forward by the direct kernel. */
export function directForward(x: Tensor, weight: Tensor, bias: Tensor | null, g: Geometry): Tensor {
  return convolve(x, weight, naturalView(weight, g), bias, g);
}

/**
 * The input gradient of a stride-1 convolution: the convolution of the output gradient with the
 * weight transposed (input and output channels swap within each group) and flipped, padded by
 * d·(K − 1) − p (negative padding crops).
 */
export function directGradInput(grad: Tensor, weight: Tensor, g: Geometry): Tensor {
  if (g.sh !== 1 || g.sw !== 1) throw new Error('directGradInput: stride 1 only');
  const [s0, s1, s2, s3] = stridesOf(weight);
  const ocg = g.OC / g.groups;
  const flipped: WeightView = {
    offset: weight.offset + (g.KH - 1) * s2 + (g.KW - 1) * s3,
    group: ocg * s0, o: s1, c: s0, kh: -s2, kw: -s3,
  };
  const transposed: Geometry = {
    ...g,
    C: g.OC, Cg: ocg, H: g.OH, W: g.OW,
    OC: g.C, OH: g.H, OW: g.W,
    ph: g.dh * (g.KH - 1) - g.ph, pw: g.dw * (g.KW - 1) - g.pw,
  };
  return convolve(grad, weight, flipped, null, transposed);
}

/** The weight gradient's blocks of output channels and of kernel rows (one per lane), and its workgroups before splitting rows. */
function gradWeightLayout(g: Geometry, lanes: number): { block: number; count: number; rowBlocks: number; workgroups: number } {
  const [block, count] = blocks(g.OC / g.groups, Math.min(CHANNEL_BLOCK, Math.floor(GRAD_WEIGHT_SLOTS / g.KW)));
  const rowBlocks = Math.ceil((g.Cg * g.KH) / lanes);
  return { block, count, rowBlocks, workgroups: g.groups * count * rowBlocks };
}

/**
 * The weight gradient [OC, Cg, KH, KW] of conv2d from the output gradient and the input, and with
 * `wantBias` the bias gradient [OC] (the output gradient summed over all but channels) from the
 * same pass.
 */
export function directGradWeight(grad: Tensor, x: Tensor, g: Geometry, wantBias: boolean): { weight: Tensor; bias: Tensor | null } {
  const lanes = directLanes(x.device);
  if (lanes === null) throw new Error('the direct weight gradient needs subgroups');
  const shape = [g.OC, g.Cg, g.KH, g.KW];
  const { block, count, rowBlocks, workgroups } = gradWeightLayout(g, lanes);
  const rows = g.N * g.OH;
  const rowsPerSplit = Math.ceil(rows / Math.min(Math.ceil(GRAD_WEIGHT_WORKGROUPS / workgroups), rows));
  const splits = Math.ceil(rows / rowsPerSplit);
  const weight = empty([splits, ...shape], x.dtype, x.device);
  const bias = wantBias ? empty([splits, g.OC], x.dtype, x.device) : null;
  const spec = {
    family: 'conv-grad-weight',
    template: { KW: String(g.KW), OCB: String(block), SG: String(lanes), TW: String(blocks(g.OW, COLUMNS)[0]), SW: String(g.sw), DW: String(g.dw) },
    constants: { N: g.N, OH: g.OH, OW: g.OW, KH: g.KH },
  };
  const [sxn, sxc, sxh, sxw] = stridesOf(x);
  const [sgn, sgc, sgh, sgw] = stridesOf(grad);
  const params = {
    off_x: x.offset, sxn, sxc, sxh, sxw,
    off_g: grad.offset, sgn, sgc, sgh, sgw,
    H: g.H, W: g.W, OC: g.OC, OCg: g.OC / g.groups, Cg: g.Cg, blocks: count, row_blocks: rowBlocks,
    sh: g.sh, ph: g.ph, pw: g.pw, dh: g.dh,
    rows_per_split: rowsPerSplit, has_bias: wantBias ? 1 : 0,
  };
  launch('conv2d.gradWeight', spec, [x, grad, weight, bias ?? placeholder(x.device)], params, [splits, workgroups]);
  if (splits === 1) return { weight: view(weight, shape), bias: bias && view(bias, [g.OC]) };
  return { weight: sum(weight, 0), bias: bias && sum(bias, 0) };
}
