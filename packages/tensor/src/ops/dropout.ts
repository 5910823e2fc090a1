import { record } from '../autograd-hooks.ts';
import { empty } from '../alloc.ts';
import { defaultGenerator, type Generator } from '../random.ts';
import type { Tensor } from '../tensor.ts';
import { checkDType, FLOATS } from './checks.ts';
import { grid, launch } from './gpu.ts';
import { contiguous } from './views.ts';

/** PCG's output permutation on 32-bit words, as kernels/dropout.wgsl computes it. */
function pcg(v: number): number {
  const state = (Math.imul(v, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** x·scale where element i's uniform u(seed, i) ≥ p, else 0 (kernels/dropout.wgsl); not recorded. */
function masked(x: Tensor, p: number, scale: number, seed: readonly [number, number]): Tensor {
  const src = contiguous(x);
  const out = empty(x.shape, x.dtype, x.device);
  const n = x.numel();
  if (x.device.type === 'cpu') {
    const a = src.storage.array;
    const o = out.storage.array;
    for (let i = 0; i < n; i++) {
      const u = (pcg((pcg((i ^ seed[0]) >>> 0) ^ seed[1]) >>> 0) >>> 8) / 16777216;
      o[i] = u >= Math.fround(p) ? a[src.offset + i] * scale : 0;
    }
  } else if (n > 0) {
    launch('dropout', { family: 'dropout' }, [src, out], { n, off_x: src.offset, seed0: seed[0], seed1: seed[1], p, scale }, grid(n));
  }
  if (src !== x) src.dispose();
  return out;
}

/**
 * Zeroes each element with probability p and scales the rest by 1/(1 − p) when training (the
 * identity otherwise), like F.dropout. The mask is drawn on the device from two words of
 * `generator` (the default generator unless given), so a seeded run repeats exactly.
 */
export function dropout(input: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  checkDType('dropout', input, FLOATS);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return input;
  const seed = [generator.nextUint32(), generator.nextUint32()] as const;
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const out = masked(input, p, scale, seed);
  return record('Dropout', [input], out, [], (g) => [masked(g, p, scale, seed)]);
}
