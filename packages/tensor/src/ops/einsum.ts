import type { Tensor } from '../tensor.ts';
import { checkSameDevice } from './checks.ts';
import { bmm } from './matmul.ts';
import { sum } from './reduce.ts';
import { diagonal, expand, permute, reshape } from './views.ts';

/** A tensor whose dims are named by one subscript letter each. */
interface Term {
  t: Tensor;
  labels: string[];
}

const LETTER = /^[a-zA-Z]$/;

/** The input terms and the output's letters of an equation (implicit output: letters used once, sorted, as PyTorch). */
function parse(equation: string, count: number): { inputs: string[][]; output: string[] } {
  const compact = equation.replace(/\s/g, '');
  if (compact.includes('...')) throw new RangeError("einsum(): ellipsis ('...') is not supported by mini; name every dim with a letter");
  const [lhs, rhs, extra] = compact.split('->');
  if (extra !== undefined) throw new RangeError("einsum(): the equation has more than one '->'");
  const inputs = lhs.split(',').map((term) => [...term]);
  for (const letter of [...inputs.flat(), ...(rhs ?? '')]) {
    if (!LETTER.test(letter)) {
      throw new RangeError(`einsum(): invalid subscript given at index ${compact.indexOf(letter)} in the equation string, subscripts must be in [a-zA-Z]`);
    }
  }
  if (inputs.length !== count) {
    throw new RangeError(`einsum(): ${count > inputs.length ? 'more' : 'fewer'} operands were provided than specified in the equation`);
  }
  const all = inputs.flat();
  if (rhs === undefined) return { inputs, output: [...new Set(all)].filter((l) => all.indexOf(l) === all.lastIndexOf(l)).sort() };
  const output = [...rhs];
  for (const letter of output) {
    if (!all.includes(letter)) throw new RangeError(`einsum(): output subscript ${letter} does not appear in the equation for any input operand`);
    if (output.indexOf(letter) !== output.lastIndexOf(letter)) throw new RangeError(`einsum(): output subscript ${letter} appears more than once in the output`);
  }
  return { inputs, output };
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
 * 'ii->' (trace), 'ii->i' (diagonal), 'i,j->ij' (outer), 'ij->j', implicit outputs ('ij,jk'), and
 * any number of operands, contracted left to right. Built on views, sums and the batched matmul
 * kernels, so every equation has its backward; '...' is not supported (an error).
 */
export function einsum(equation: string, ...operands: Tensor[]): Tensor {
  if (operands.length === 0) throw new RangeError('einsum(): must provide at least one operand');
  checkSameDevice(operands);
  const { inputs, output } = parse(equation, operands.length);
  const sizes = new Map<string, number>();
  const terms = operands.map((t, i) => {
    if (inputs[i].length !== t.ndim) {
      throw new RangeError(
        `einsum(): the number of subscripts in the equation (${inputs[i].length}) does not match the number of dimensions (${t.ndim}) for operand ${i} and no ellipsis was given`,
      );
    }
    const term = takeDiagonals({ t, labels: inputs[i] }, i);
    term.labels.forEach((l, d) => {
      const [seen, own] = [sizes.get(l), term.t.shape[d]];
      if (seen !== undefined && seen !== own && seen !== 1 && own !== 1) {
        throw new RangeError(`einsum(): operands do not broadcast with remapped shapes (original->remapped): subscript ${l} has size ${own} for operand ${i}, ${seen} elsewhere`);
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
