import { isFloating, type DType, type TypedArray } from './dtype.ts';
import type { Tensor } from './tensor.ts';

// PyTorch's default print options.
const PRECISION = 4;
const THRESHOLD = 1000;
const EDGE = 3;
const LINEWIDTH = 80;

/** Types printed without a dtype suffix: int32 plays the part of torch's default int64. */
const DEFAULT_DTYPES: readonly DType[] = ['float32', 'int32', 'bool'];

/**
 * PyTorch's printed form (torch/_tensor_str.py, default profile): `tensor([[ 1.5000, -2.0000]],
 * device='webgpu', requires_grad=True)`, with the same number formats, summarization past 1,000
 * elements and line wrapping at 80 columns. Dtypes print without torch's `torch.` prefix.
 */
export function formatTensor(t: Tensor, data: TypedArray): string {
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  if (t.device.type !== 'cpu') suffixes.push(`device='${t.device}'`);
  let body: string;
  if (data.length === 0) {
    if (t.ndim !== 1) suffixes.push(`size=(${t.shape.join(', ')})`);
    if (t.dtype !== 'float32') suffixes.push(`dtype=${t.dtype}`);
    body = '[]';
  } else {
    if (!DEFAULT_DTYPES.includes(t.dtype)) suffixes.push(`dtype=${t.dtype}`);
    body = tensorBody(t.shape, t.dtype, data, indent);
  }
  if (t.gradFn) suffixes.push(`grad_fn=${t.gradFn}`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(prefix + body, suffixes, indent);
}

function tensorBody(shape: readonly number[], dtype: DType, data: TypedArray, indent: number): string {
  const summarize = data.length > THRESHOLD;
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const shown = (size: number) => (summarize && size > 2 * EDGE ? [...range(0, EDGE), -1, ...range(size - EDGE, size)] : range(0, size));
  const summarized: number[] = [];
  const collect = (dim: number, start: number): void => {
    if (dim === shape.length) summarized.push(data[start]);
    else for (const i of shown(shape[dim])) if (i >= 0) collect(dim + 1, start + i * strides[dim]);
  };
  collect(0, 0);
  const formatter = makeFormatter(dtype, summarized);
  if (shape.length === 0) return formatter.format(data[0]);
  const render = (dim: number, start: number, indent: number): string => {
    const items = shown(shape[dim]);
    if (dim === shape.length - 1) {
      const elements = items.map((i) => (i < 0 ? ' ...' : formatter.format(data[start + i])));
      const perLine = Math.max(1, Math.floor((LINEWIDTH - indent) / (formatter.width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < elements.length; i += perLine) lines.push(elements.slice(i, i + perLine).join(', '));
      return `[${lines.join(',\n' + ' '.repeat(indent + 1))}]`;
    }
    const slices = items.map((i) => (i < 0 ? '...' : render(dim + 1, start + i * strides[dim], indent + 1)));
    return `[${slices.join(',' + '\n'.repeat(shape.length - dim - 1) + ' '.repeat(indent + 1))}]`;
  };
  return render(0, 0, indent);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

interface Formatter {
  width: number;
  format(value: number): string;
}

/** torch's _Formatter: one width and one notation (integer, fixed or scientific) for all elements. */
function makeFormatter(dtype: DType, values: readonly number[]): Formatter {
  if (!isFloating(dtype)) {
    const str = dtype === 'bool' ? (v: number) => (v ? 'True' : 'False') : (v: number) => String(v);
    const width = Math.max(1, ...values.map((v) => str(v).length));
    return { width, format: (v) => str(v).padStart(width) };
  }
  const nonzero = values.filter((v) => Number.isFinite(v) && v !== 0);
  const abs = nonzero.map(Math.abs);
  const max = abs.length ? Math.max(...abs) : 0;
  const min = abs.length ? Math.min(...abs) : 0;
  const intMode = nonzero.every(Number.isInteger);
  const sciMode = abs.length > 0 && (max / min > 1000 || max > 1e8 || (!intMode && min < 1e-4));
  const notation = sciMode ? scientific : intMode ? integral : fixed;
  const width = Math.max(1, ...nonzero.map((v) => notation(v).length));
  return { width, format: (v) => notation(v).padStart(width) };
}

function special(v: number): string | null {
  return Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : null;
}

/** Python's '{:.0f}.' */
function integral(v: number): string {
  return special(v) ?? `${signOf(v)}${roundDecimal(Math.abs(v), 0)}.`;
}

/** Python's '{:.4f}'. */
function fixed(v: number): string {
  const s = special(v);
  if (s) return s;
  const digits = roundDecimal(Math.abs(v), PRECISION).toString().padStart(PRECISION + 1, '0');
  return `${signOf(v)}${digits.slice(0, -PRECISION)}.${digits.slice(-PRECISION)}`;
}

/** Python's '{:.4e}', with an exponent of two digits at least. */
function scientific(v: number): string {
  const s = special(v);
  if (s) return s;
  const a = Math.abs(v);
  let exponent = a === 0 ? 0 : Math.floor(Math.log10(a));
  let digits = roundDecimal(a, PRECISION - exponent);
  // log10 can be one off near powers of ten, and rounding can carry into a new digit.
  if (digits >= 10n ** BigInt(PRECISION + 1)) digits = roundDecimal(a, PRECISION - ++exponent);
  else if (a !== 0 && digits < 10n ** BigInt(PRECISION)) digits = roundDecimal(a, PRECISION - --exponent);
  const text = digits.toString().padStart(PRECISION + 1, '0');
  const e = Math.abs(exponent).toString().padStart(2, '0');
  return `${signOf(v)}${text[0]}.${text.slice(1)}e${exponent < 0 ? '-' : '+'}${e}`;
}

/**
 * a·10^places rounded to an integer exactly, ties to even, as Python's float formatting does
 * (JS's toFixed and toExponential round ties away from zero). a is a finite double ≥ 0.
 */
function roundDecimal(a: number, places: number): bigint {
  const bits = new BigUint64Array(new Float64Array([a]).buffer)[0];
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const binary = biased === 0 ? -1074 : biased - 1075;
  // a·10^places = numerator / denominator, both integers.
  const numerator = mantissa * (places >= 0 ? 10n ** BigInt(places) : 1n) * (binary >= 0 ? 1n << BigInt(binary) : 1n);
  const denominator = (places < 0 ? 10n ** BigInt(-places) : 1n) * (binary < 0 ? 1n << BigInt(-binary) : 1n);
  const quotient = numerator / denominator;
  const twice = 2n * (numerator - quotient * denominator);
  if (twice > denominator || (twice === denominator && quotient % 2n === 1n)) return quotient + 1n;
  return quotient;
}

/** '-' for negative numbers and for -0, as Python prints them. */
function signOf(v: number): string {
  return v < 0 || Object.is(v, -0) ? '-' : '';
}

/** torch's _add_suffixes: `, suffix`, or a new line when the last line would pass 80 columns. */
function addSuffixes(text: string, suffixes: readonly string[], indent: number): string {
  let out = text;
  let lastLineLength = text.length - text.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLength + suffix.length + 2 > LINEWIDTH) {
      out += ',\n' + ' '.repeat(indent) + suffix;
      lastLineLength = indent + suffix.length;
    } else {
      out += ', ' + suffix;
      lastLineLength += suffix.length + 2;
    }
  }
  return out + ')';
}
