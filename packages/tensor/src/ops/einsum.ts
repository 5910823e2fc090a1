import type { Tensor } from '../tensor.ts';
import { checkSameDevice } from './checks.ts';
import { bmm } from './matmul.ts';
import { sum } from './reduce.ts';
import { diagonal, expand, permute, reshape } from './views.ts';

/** A tensor whose dims are named by one label each: a subscript letter, or a dim that an ellipsis covers. */
interface Term {
  t: Tensor;
  labels: string[];
}

const LETTER = /^[a-zA-Z]$/;
const ELLIPSIS = '...';

/** Throws unless `letter` is a subscript letter; `strayDot` is the message for a '.' outside an ellipsis. */
function checkSubscript(letter: string, equation: string, strayDot: string): void {
  if (letter === '.') throw new RangeError(strayDot);
  if (!LETTER.test(letter)) {
    throw new RangeError(`einsum(): invalid subscript given at index ${equation.indexOf(letter)} in the equation string, subscripts must be in [a-zA-Z]`);
  }
}

/**
 * The labels of `count` dims covered by an ellipsis, left to right: each names its place from the
 * right, and lies outside [a-zA-Z], so no letter takes it.
 */
const ellipsisLabels = (count: number) => Array.from({ length: count }, (_, k) => String.fromCharCode(0x100 + count - 1 - k));
const isEllipsisLabel = (label: string) => label.charCodeAt(0) >= 0x100;

/**
 * One term's labels for an operand of `ndim` dims: its letters, and for '...' one label per dim
 * it covers, numbered from the right (so that the ellipses of all operands broadcast together, as
 * PyTorch's do).
 */
function termLabels(term: string, ndim: number, operand: number, equation: string): string[] {
  const parts = term.split(ELLIPSIS);
  if (parts.length > 2) throw new RangeError(`einsum(): found '.' for operand ${operand} for which an ellipsis was already found`);
  const letters = parts.join('');
  for (const letter of letters) checkSubscript(letter, equation, `einsum(): found '.' for operand ${operand} that is not part of any ellipsis`);
  if (parts.length === 1) {
    if (letters.length !== ndim) {
      throw new RangeError(
        `einsum(): the number of subscripts in the equation (${letters.length}) does not match the number of dimensions (${ndim}) for operand ${operand} and no ellipsis was given`,
      );
    }
    return [...term];
  }
  if (letters.length > ndim) {
    throw new RangeError(`einsum(): the number of subscripts in the equation (${letters.length}) is more than the number of dimensions (${ndim}) for operand ${operand}`);
  }
  return [...parts[0], ...ellipsisLabels(ndim - letters.length), ...parts[1]];
}

/**
 * The input terms' labels and the output's (implicit output: the ellipsis's dims, then the letters
 * used once, sorted, as PyTorch). An explicit output without '...' sums the ellipsis's dims.
 */
function parse(equation: string, operands: readonly Tensor[]): { inputs: string[][]; output: string[] } {
  const compact = equation.replace(/\s/g, '');
  const [lhs, rhs, extra] = compact.split('->');
  if (extra !== undefined) throw new RangeError("einsum(): the equation has more than one '->'");
  const terms = lhs.split(',');
  if (terms.length !== operands.length) {
    throw new RangeError(`einsum(): ${operands.length > terms.length ? 'more' : 'fewer'} operands were provided than specified in the equation`);
  }
  const inputs = terms.map((term, i) => termLabels(term, operands[i].ndim, i, compact));
  const all = inputs.flat();
  const rank = Math.max(0, ...inputs.map((labels) => labels.filter(isEllipsisLabel).length));
  const ellipsis = ellipsisLabels(rank);
  if (rhs === undefined) {
    const once = [...new Set(all)].filter((l) => !isEllipsisLabel(l) && all.indexOf(l) === all.lastIndexOf(l)).sort();
    return { inputs, output: [...ellipsis, ...once] };
  }
  const parts = rhs.split(ELLIPSIS);
  if (parts.length > 2) throw new RangeError("einsum(): found '.' for output but an ellipsis (...) was already found");
  for (const letter of parts.join('')) {
    checkSubscript(letter, compact, "einsum(): found '.' for output that is not part of any ellipsis (...)");
    if (!all.includes(letter)) throw new RangeError(`einsum(): output subscript ${letter} does not appear in the equation for any input operand`);
    if (rhs.indexOf(letter) !== rhs.lastIndexOf(letter)) throw new RangeError(`einsum(): output subscript ${letter} appears more than once in the output`);
  }
  return { inputs, output: parts.length === 2 ? [...parts[0], ...ellipsis, ...parts[1]] : [...rhs] };
}

/** A letter repeated within one term takes the diagonal of those dims (a view). */
function takeDiagonals(term: Term, operand: number): Term {
  let { t, labels } = term;
  for (let p = 0; p < labels.length; p++) {
    const q = labels.indexOf(labels[p], p + 1);
    if (q === -1) continue;
    if (t.shape[p] !== t.shape[q]) {
      throw new RangeError(`einsum(): subscript ${labels[p]} is repeated for operand ${operand} but the sizes don't match, ${t.shape[p]} != ${t.shape[q]}`);
    }
    t = diagonal(t, 0, p, q);
    labels = [...labels.filter((_, k) => k !== p && k !== q), labels[p]];
    p = -1;
  }
  return { t, labels };
}

/** Sums over the dims whose letters are not in `keep`. */
function sumOut({ t, labels }: Term, keep: ReadonlySet<string>): Term {
  for (let d = labels.length - 1; d >= 0; d--) if (!keep.has(labels[d])) t = sum(t, d);
  return { t, labels: labels.filter((l) => keep.has(l)) };
}

/** x's dims in the order of `order` (letters x has), each broadcast to `sizes`. */
function arrange(x: Term, order: readonly string[], sizes: ReadonlyMap<string, number>): Tensor {
  const moved = permute(x.t, order.map((l) => x.labels.indexOf(l)));
  return expand(moved, order.map((l) => sizes.get(l)!));
}

/** One pairwise contraction, as a batched matrix product: [batch, left, summed] · [batch, summed, right]. */
function contract(x: Term, y: Term, keep: ReadonlySet<string>, sizes: ReadonlyMap<string, number>): Term {
  const shared = x.labels.filter((l) => y.labels.includes(l));
  const batch = shared.filter((l) => keep.has(l));
  const summed = shared.filter((l) => !keep.has(l));
  const left = x.labels.filter((l) => !shared.includes(l));
  const right = y.labels.filter((l) => !shared.includes(l));
  const size = (letters: readonly string[]) => letters.reduce((n, l) => n * sizes.get(l)!, 1);
  const a = reshape(arrange(x, [...batch, ...left, ...summed], sizes), [size(batch), size(left), size(summed)]);
  const b = reshape(arrange(y, [...batch, ...summed, ...right], sizes), [size(batch), size(summed), size(right)]);
  const labels = [...batch, ...left, ...right];
  return { t: reshape(bmm(a, b), labels.map((l) => sizes.get(l)!)), labels };
}

/**
 * Sums of products over subscripts, like torch.einsum: 'ij,jk->ik', 'bij,bjk->bik', 'ij->ji',
 * 'ii->' (trace), 'ii->i' (diagonal), 'i,j->ij' (outer), 'ij->j', implicit outputs ('ij,jk'),
 * ellipses ('...ij,...jk->...ik': the dims '...' covers broadcast across operands, aligned from
 * the right, and are summed when the output has no '...'), and any number of operands, contracted
 * left to right. Built on views, sums and the batched matmul kernels, so every equation has its backward.
 */
export function einsum(equation: string, ...operands: Tensor[]): Tensor {
  if (operands.length === 0) throw new RangeError('einsum(): must provide at least one operand');
  checkSameDevice(operands);
  const { inputs, output } = parse(equation, operands);
  const sizes = new Map<string, number>();
  const terms = operands.map((t, i) => {
    const term = takeDiagonals({ t, labels: inputs[i] }, i);
    term.labels.forEach((l, d) => {
      const [seen, own] = [sizes.get(l), term.t.shape[d]];
      if (seen !== undefined && seen !== own && seen !== 1 && own !== 1) {
        // An ellipsis's dims are never diagonals: each stands where the operand has it.
        throw new RangeError(
          isEllipsisLabel(l)
            ? `einsum(): dimension ${inputs[i].indexOf(l)} covered by ellipsis in operand ${i} has size ${own} which does not broadcast with previously seen ellipsis with size ${seen} for the respective dimension`
            : `einsum(): operands do not broadcast with remapped shapes (original->remapped): subscript ${l} has size ${own} for operand ${i}, ${seen} elsewhere`,
        );
      }
      if (seen === undefined || seen === 1) sizes.set(l, own);
    });
    return term;
  });
  // A letter is summed away as soon as no later operand and not the output needs it.
  const neededAfter = (i: number) => new Set([...output, ...terms.slice(i + 1).flatMap((term) => term.labels)]);
  let acc = sumOut(terms[0], neededAfter(0));
  for (let i = 1; i < terms.length; i++) {
    const keep = neededAfter(i);
    acc = contract(acc, sumOut(terms[i], new Set([...keep, ...acc.labels])), keep, sizes);
  }
  return permute(acc.t, output.map((l) => acc.labels.indexOf(l)));
}
