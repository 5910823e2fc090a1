/**
 * A seeded pseudo-random generator (xoshiro128**), the analogue of torch.Generator.
 * Its state is four 32-bit words, so a run can save and restore it exactly.
 */
export class Generator {
  private s = new Uint32Array(4);

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Reseeds this generator, like torch.Generator.manual_seed. */
  manualSeed(seed: number): this {
    if (!Number.isInteger(seed)) throw new TypeError(`manualSeed expects an integer, found ${seed}`);
    // splitmix32 spreads the seed over the four state words.
    let x = (seed >>> 0) ^ Math.floor(seed / 2 ** 32);
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if (this.s.every((w) => w === 0)) this.s[0] = 1;
    return this;
  }

  /** The generator's state, to restore later with setState(). */
  getState(): number[] {
    return Array.from(this.s);
  }

  /** Restores a state from getState(). */
  setState(state: readonly number[]): this {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w >= 2 ** 32)) {
      throw new TypeError(`generator state must be four 32-bit unsigned integers, found ${JSON.stringify(state)}`);
    }
    this.s.set(state);
    return this;
  }

  /** The next 32 random bits. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 24 random bits, so that it is exact in float32. */
  uniform(): number {
    return (this.nextUint32() >>> 8) / 16777216;
  }

  /** Standard normal by Box-Muller. */
  normal(): number {
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in [low, high). */
  integer(low: number, high: number): number {
    const range = high - low;
    if (range <= 0) throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
    return low + Math.floor(this.uniform53() * range);
  }

  private uniform53(): number {
    return ((this.nextUint32() >>> 5) * 67108864 + (this.nextUint32() >>> 6)) / 9007199254740992;
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.integer(0, i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The default generator, used when none is passed (like torch.default_generator). */
export const defaultGenerator = new Generator(0);

/** Seeds the default generator, as torch.manual_seed does. */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
