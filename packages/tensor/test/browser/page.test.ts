/**
 * @mini/tensor in a web page (run by `pnpm test:browser` in headless Chromium): WebGPU through
 * navigator.gpu with no Node shim, the adapter's subgroup size respected by the kernel choice,
 * and matmuls on odd shapes against the cpu reference with every kernel family the adapter runs,
 * and conv2d (the direct kernels, with the page adapter's subgroup width) against the cpu.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { autograd, conv2d, matmul, matmulKernel, MATMUL_KERNELS, type Device, type Tensor } from '@mini/tensor';
import { setMatmulKernel } from '@mini/tensor/internal';
import { findAdapter } from '../../src/device/adapter.ts';
import { expectTensorsClose, pair, webgpu } from '../helpers.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

type SubgroupInfo = GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number };
const subgroups = () => gpu.gpu.adapterInfo as SubgroupInfo;
/** Subgroups of one width the subgroup family was measured on (4: SwiftShader, 8: lavapipe), which the heuristics then pick. */
const measuredWidth = () => gpu.gpu.hasFeature('subgroups') && subgroups().subgroupMinSize === subgroups().subgroupMaxSize && [4, 8].includes(subgroups().subgroupMinSize!);
/** Subgroups of a width the subgroup family has kernels for, so a forced 'subgroup' runs. */
const subgroupKernels = () => gpu.gpu.hasFeature('subgroups') && [4, 8, 16, 32, 64].includes(subgroups().subgroupMinSize!);

describe('WebGPU in the page', () => {
  it('has no Node globals: the library reached the GPU through navigator.gpu alone', () => {
    expect(typeof (globalThis as { process?: unknown }).process).toBe('undefined');
    expect(typeof navigator.gpu).toBe('object');
    expect(gpu.gpu.backend).toBe('default');
    expect(gpu.gpu.adapterInfo.vendor.length + gpu.gpu.adapterInfo.architecture.length).toBeGreaterThan(0);
  });

  it('says what is missing when the page has no WebGPU', async () => {
    const descriptor = Object.getOwnPropertyDescriptor(Navigator.prototype, 'gpu')!;
    Object.defineProperty(Navigator.prototype, 'gpu', { configurable: true, get: () => undefined });
    try {
      await expect(findAdapter()).rejects.toThrow(/No WebGPU adapter could be created[\s\S]*navigator\.gpu is undefined[\s\S]*use a browser with WebGPU enabled, or use the cpu device: init\('cpu'\)/);
    } finally {
      Object.defineProperty(Navigator.prototype, 'gpu', descriptor);
    }
  });
});

// [M, K, N]: not multiples of any tile, a K of 784, ThreeNet's first layer.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [7, 33, 5],
  [33, 7, 257],
  [257, 31, 70],
  [10, 784, 33],
  [256, 784, 200],
];

describe("matmul on the page's adapter", () => {
  afterEach(() => setMatmulKernel(null));

  it('chooses the subgroup kernels only on an adapter whose subgroups are all 4 or all 8 wide', () => {
    const chosen = matmulKernel(gpu.gpu);
    if (measuredWidth()) expect(chosen).toBe('subgroup');
    else expect(chosen).not.toBe('subgroup');
  });

  it("runs a forced 'subgroup' kernel as the cpu does, or refuses it naming the subgroup sizes it needs", async () => {
    setMatmulKernel('subgroup');
    const [ac, a] = pair([7, 33], 1, gpu);
    const [bc, b] = pair([33, 5], 2, gpu);
    let product;
    try {
      product = matmul(a, b);
    } catch (error) {
      expect((error as Error).message).toMatch(/^the 'subgroup' matmul kernel needs subgroups of [\d, ]+ lanes, which this adapter lacks$/);
      return;
    }
    await expectTensorsClose(product, matmul(ac, bc), 1e-4, 1e-4);
  });

  it('runs every kernel family the adapter supports, each matching the cpu on odd shapes, plain and transposed', async () => {
    const runnable = MATMUL_KERNELS.filter((kernel) => kernel !== 'subgroup' || subgroupKernels());
    expect(runnable).toEqual(expect.arrayContaining(['columns', 'tiled']));
    for (const kernel of runnable) {
      setMatmulKernel(kernel);
      for (const [M, K, N] of SHAPES) {
        const [ac, ag] = pair([M, K], M + K, gpu);
        const [atc, atg] = pair([K, M], M * 5 + K, gpu);
        const [bc, bg] = pair([N, K], N * 3 + K, gpu);
        await expectTensorsClose(matmul(ag, bg.t()), matmul(ac, bc.t()), 1e-4, 1e-4);
        await expectTensorsClose(matmul(atg.t(), bg.t()), matmul(atc.t(), bc.t()), 1e-4, 1e-4);
      }
    }
  });
});

describe("conv2d on the page's adapter", () => {
  it("gives the cpu's output and input, weight and bias gradients on odd shapes", async () => {
    const cases: [number[], number[], object][] = [
      [[3, 3, 13, 7], [7, 3, 3, 5], { padding: [1, 2] }],
      [[1, 4, 9, 11], [6, 2, 3, 3], { groups: 2, stride: 2, dilation: [1, 2] }],
    ];
    for (const [xs, ws, options] of cases) {
      const [[xc, xg], [wc, wg], [bc, bg]] = [pair(xs, 1, gpu), pair(ws, 2, gpu), pair([ws[0]], 3, gpu)];
      const [oc, og] = [conv2d(xc, wc, bc, options), conv2d(xg, wg, bg, options)];
      await expectTensorsClose(og, oc, 1e-4, 1e-4);
      const [uc, ug] = pair([...oc.shape], 4, gpu);
      const grads = (x: Tensor, w: Tensor, b: Tensor, u: Tensor) => {
        for (const t of [x, w, b]) t.requiresGrad_();
        return autograd.grad(conv2d(x, w, b, options), [x, w, b], { gradOutputs: u });
      };
      const [expected, actual] = [grads(xc, wc, bc, uc), grads(xg, wg, bg, ug)];
      for (let i = 0; i < 3; i++) await expectTensorsClose(actual[i]!, expected[i]!, 1e-4, 1e-4);
    }
  });
});

afterAll(() => setMatmulKernel(null));
