import { checkOptions, enableGrad, fromArray, isFloating, noGrad, tidy, zeros, type Tensor } from '@mini/tensor';

/** The options of gradcheck, as torch.autograd.gradcheck's keyword arguments. */
export interface GradcheckOptions {
  /** Step of the central differences. */
  eps?: number;
  /** Absolute tolerance: |analytical − numerical| ≤ atol + rtol·|numerical|. */
  atol?: number;
  /** Relative tolerance, as above. */
  rtol?: number;
}

type Fn = (...inputs: Tensor[]) => Tensor;

/** A float64 (floats) copy of t on the cpu device, a fresh leaf with t's requiresGrad. */
async function cpuCopy(t: Tensor): Promise<Tensor> {
  const dtype = isFloating(t.dtype) ? 'float64' : t.dtype;
  return fromArray(await t.toArray(), t.shape, { dtype, device: 'cpu', requiresGrad: t.requiresGrad });
}

function checkOutput(out: Tensor): void {
  if (out.dtype !== 'float64' || out.device.type !== 'cpu') {
    throw new TypeError(`gradcheck: fn must return a float64 tensor on the cpu device for float64 cpu inputs, found ${out.dtype} on ${out.device}`);
  }
}

/** fn's output values with grad off; the output is freed. */
async function evaluate(fn: Fn, inputs: Tensor[]): Promise<Float64Array> {
  const out = noGrad(() => tidy(() => fn(...inputs)));
  checkOutput(out);
  try {
    return Float64Array.from(await out.toArray());
  } finally {
    disposeOutput(out, inputs);
  }
}

/** Frees fn's output unless fn returned one of its inputs itself. */
function disposeOutput(out: Tensor, inputs: Tensor[]): void {
  if (!inputs.includes(out)) out.dispose();
}

/** jacobian[i][k][j] = d out[j] / d x[k] for the i-th input x that requires grad, by central differences. */
async function numericalJacobian(fn: Fn, inputs: Tensor[], eps: number): Promise<Float64Array[][]> {
  const jacobians: Float64Array[][] = [];
  for (const x of inputs) {
    if (!x.requiresGrad) continue;
    // A fresh contiguous leaf: its storage array is its elements in order.
    const data = x.storage.array;
    const columns: Float64Array[] = [];
    for (let k = 0; k < x.numel(); k++) {
      const v = data[k];
      data[k] = v + eps;
      const plus = await evaluate(fn, inputs);
      data[k] = v - eps;
      const minus = await evaluate(fn, inputs);
      data[k] = v;
      columns.push(plus.map((p, j) => (p - minus[j]) / (2 * eps)));
    }
    jacobians.push(columns);
  }
  return jacobians;
}

/** The same Jacobians from backward: one pass per output element, with a one-hot gradient. */
async function analyticalJacobian(fn: Fn, inputs: Tensor[]): Promise<Float64Array[][]> {
  const wrt = inputs.filter((x) => x.requiresGrad);
  const out = enableGrad(() => tidy(() => fn(...inputs)));
  checkOutput(out);
  const n = out.numel();
  const jacobians = wrt.map((x) => Array.from({ length: x.numel() }, () => new Float64Array(n)));
  for (let j = 0; j < n; j++) {
    if (out.requiresGrad) {
      const seed = zeros(out.shape, { dtype: 'float64', device: 'cpu' });
      seed.storage.array[j] = 1;
      out.backward(seed, { retainGraph: j < n - 1 });
      seed.dispose();
    }
    for (const [i, x] of wrt.entries()) {
      // The engine has checked the gradient's shape and dtype.
      const grad = x.grad;
      if (!grad) continue;
      (await grad.toArray()).forEach((v, k) => (jacobians[i][k][j] = v));
      grad.dispose();
      x.grad = null;
    }
  }
  disposeOutput(out, inputs);
  return jacobians;
}

/**
 * Checks the gradients that backward computes for fn against central finite differences, like
 * torch.autograd.gradcheck. fn runs on float64 cpu copies of the inputs; every input that
 * requires grad is compared element by element. Resolves to true, or throws an error naming the
 * first input and element where the two disagree.
 */
export async function gradcheck(fn: Fn, inputs: readonly Tensor[], options: GradcheckOptions = {}): Promise<true> {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3 } = checkOptions('gradcheck', options, ['eps', 'atol', 'rtol']);
  if (!inputs.some((x) => x.requiresGrad)) {
    throw new Error('gradcheck expects at least one input tensor to require gradient, but none of them have requiresGrad: true.');
  }
  const copies = await Promise.all(inputs.map(cpuCopy));
  try {
    const numerical = await numericalJacobian(fn, copies, eps);
    const analytical = await analyticalJacobian(fn, copies);
    const wrt = copies.flatMap((x, index) => (x.requiresGrad ? [{ x, index }] : []));
    for (const [i, { x, index }] of wrt.entries()) {
      for (let k = 0; k < x.numel(); k++) {
        numerical[i][k].forEach((num, j) => {
          const ana = analytical[i][k][j];
          if (!(Math.abs(ana - num) <= atol + rtol * Math.abs(num))) {
            throw new Error(
              `Jacobian mismatch for output element ${j} with respect to input ${index} (shape [${x.shape.join(', ')}]) at element ${k}: ` +
                `numerical ${num}, analytical ${ana} (eps ${eps}, atol ${atol}, rtol ${rtol})`,
            );
          }
        });
      }
    }
    return true;
  } finally {
    for (const x of copies) {
      x.grad?.dispose();
      x.dispose();
    }
  }
}
