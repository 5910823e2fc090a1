import { isFloating, type TypedArray } from './dtype.ts';
import type { Tensor } from './tensor.ts';

const THRESHOLD = 1000;
const EDGE = 3;

/** PyTorch's printed form: `tensor([[ 1.5000, -2.0000]], device='webgpu', requires_grad=True)`. */
export function formatTensor(t: Tensor, data: TypedArray): string {
  const fmt = elementFormatter(t, data);
  const summarize = data.length > THRESHOLD;
  const indent = 'tensor('.length;
  const width = Math.max(0, ...Array.from(data, (v) => fmt(v).length));
  const render = (dim: number, start: number): string => {
    if (dim === t.ndim) return fmt(data[start]).padStart(width);
    const size = t.shape[dim];
    const step = t.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    const parts: string[] = [];
    for (let i = 0; i < size; i++) {
      if (summarize && size > 2 * EDGE && i === EDGE) {
        parts.push('...');
        i = size - EDGE - 1;
        continue;
      }
      parts.push(render(dim + 1, start + i * step));
    }
    const sep = dim === t.ndim - 1 ? ', ' : ',' + '\n'.repeat(t.ndim - dim - 1) + ' '.repeat(indent + dim + 1);
    return `[${parts.join(sep)}]`;
  };
  const extras: string[] = [];
  if (t.device.type !== 'cpu') extras.push(`device='${t.device}'`);
  if (t.dtype === 'uint8' || t.dtype === 'float64') extras.push(`dtype=${t.dtype}`);
  if (t.gradFn) extras.push(`grad_fn=${t.gradFn}`);
  else if (t.requiresGrad) extras.push('requires_grad=True');
  const body = t.ndim === 0 ? fmt(data[0]) : render(0, 0);
  return `tensor(${[body, ...extras].join(', ')})`;
}

function elementFormatter(t: Tensor, data: TypedArray): (v: number) => string {
  if (t.dtype === 'bool') return (v) => (v ? 'True' : 'False');
  if (!isFloating(t.dtype)) return (v) => String(v);
  const finite = Array.from(data).filter(Number.isFinite);
  const abs = finite.map(Math.abs).filter((v) => v > 0);
  const max = abs.length ? Math.max(...abs) : 0;
  const min = abs.length ? Math.min(...abs) : 0;
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  if (finite.every(Number.isInteger) && max < 1e8) return (v) => (Number.isFinite(v) ? `${v}.` : special(v));
  if (max >= 1e8 || (min > 0 && max / min > 1000) || (max > 0 && max < 1e-4)) {
    return (v) => (Number.isFinite(v) ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : special(v));
  }
  return (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
}
