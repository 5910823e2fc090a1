/** Scalar functions the CPU references need and JS's Math lacks, accurate in doubles. */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** The error function: its Taylor series below 2.5, erfc's continued fraction above. */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (Number.isNaN(a)) return NaN;
  if (a < 2.5) {
    const x2 = a * a;
    let term = a;
    let sum = a;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const next = term / (2 * n + 1);
      sum += next;
      if (Math.abs(next) < 1e-17 * sum) break;
    }
    return Math.sign(x) * TWO_OVER_SQRT_PI * sum;
  }
  // erfc(a) = exp(-a²)/√π · 1/(a + (1/2)/(a + (2/2)/(a + (3/2)/(a + ...)))), evaluated bottom-up.
  let f = a;
  for (let n = 60; n >= 1; n--) f = a + n / 2 / f;
  return Math.sign(x) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f);
}

/** Rounds half to even, as torch.round (and WGSL's round) do. */
export function roundHalfEven(x: number): number {
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x);
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

export function geluGrad(x: number): number {
  return 0.5 * (1 + erf(x / Math.SQRT2)) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI);
}

export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)));
}

export function geluTanhGrad(x: number): number {
  const t = Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x ** 3));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
}
