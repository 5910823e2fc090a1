import { record } from '../autograd-hooks.ts';
import { empty } from '../alloc.ts';
import { normalizeDim } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import type { TypedArray } from '../dtype.ts';
import { checkDType, checkSameDevice, FLOATS } from './checks.ts';
import { grid, launch } from './gpu.ts';
import { contiguous } from './views.ts';
import { aroundDim } from './reduce.ts';

const CODES = { logSoftmax: 0, softmax: 1, logSoftmaxBackward: 2, softmaxBackward: 3 } as const;
type Op = keyof typeof CODES;

/** Runs one softmax-family kernel over `dim`; backward ops read y (the forward output) and g. */
function run(op: Op, y: Tensor, g: Tensor | null, dim: number): Tensor {
  const d = normalizeDim(dim, y.ndim);
  const { outer, size: reduce, inner } = aroundDim(y, d);
  const x = contiguous(y);
  const gc = g ? contiguous(g) : x;
  const out = empty(y.shape, y.dtype, y.device);
  if (y.device.type === 'cpu') {
    cpuRun(op, x.storage.array, x.offset, gc.storage.array, gc.offset, out.storage.array, outer, reduce, inner);
  } else if (outer * inner > 0) {
    const params = { outer, reduce, inner, off_x: x.offset, off_g: gc.offset };
    // Rows of a log_softmax over the last dim: a loss that reads them may fuse with it (fuseLogSoftmaxNll).
    const rows = op === 'logSoftmax' && inner === 1 && x.dtype === 'float32';
    const fusion = rows ? { logSoftmaxRows: { input: x.storage.buffer, inputOffset: x.offset, output: out.storage.buffer, rows: outer, cols: reduce } } : undefined;
    launch(op, { family: 'softmax', constants: { OP: CODES[op] } }, [x, gc, out], params, grid(outer * inner, 64), fusion);
  }
  if (x !== y) x.dispose();
  if (g && gc !== g) gc.dispose();
  return out;
}

function cpuRun(op: Op, x: ArrayLike<number>, xo: number, g: ArrayLike<number>, go: number, out: TypedArray, outer: number, R: number, inner: number): void {
  for (let row = 0; row < outer * inner; row++) {
    const base = Math.floor(row / inner) * R * inner + (row % inner);
    const at = (r: number) => base + r * inner;
    if (op === 'logSoftmax' || op === 'softmax') {
      let m = -Infinity;
      for (let r = 0; r < R; r++) m = Math.max(m, x[xo + at(r)]);
      let s = 0;
      for (let r = 0; r < R; r++) s += Math.exp(x[xo + at(r)] - m);
      for (let r = 0; r < R; r++) {
        const v = x[xo + at(r)];
        out[at(r)] = op === 'logSoftmax' ? v - m - Math.log(s) : Math.exp(v - m) / s;
      }
    } else {
      let s = 0;
      for (let r = 0; r < R; r++) s += op === 'logSoftmaxBackward' ? g[go + at(r)] : g[go + at(r)] * x[xo + at(r)];
      for (let r = 0; r < R; r++) {
        const y = x[xo + at(r)];
        const gr = g[go + at(r)];
        out[at(r)] = op === 'logSoftmaxBackward' ? gr - Math.exp(y) * s : y * (gr - s);
      }
    }
  }
}

function checkInput(op: string, x: Tensor): void {
  checkDType(op, x, FLOATS);
}

/** log(softmax(x)) along dim, computed stably, like F.log_softmax. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  checkInput('logSoftmax', x);
  const out = run('logSoftmax', x, null, dim);
  const attrs = { dim: normalizeDim(dim, x.ndim) };
  return record('LogSoftmax', [x], out, [out], (g, [y]) => [run('logSoftmaxBackward', y, g, dim)], { attrs });
}

/** softmax along dim, like F.softmax. */
export function softmax(x: Tensor, dim: number): Tensor {
  checkInput('softmax', x);
  const out = run('softmax', x, null, dim);
  return record('Softmax', [x], out, [out], (g, [y]) => {
    checkSameDevice([g, y]);
    return [run('softmaxBackward', y, g, dim)];
  });
}
