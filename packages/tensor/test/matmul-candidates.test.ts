import { describe, expect, it } from 'vitest';
import { kernelSource } from '@mini/kernels';
import { add, matmul, relu, type Device, type Tensor } from '@mini/tensor';
import { launchProduct } from '../src/ops/matmul-launch.ts';
import {
  adapterTraits,
  allCandidates,
  denseLayout,
  heuristicCandidate,
  heuristicFamily,
  productLayout,
  SUBGROUP_SIZES,
  type AdapterTraits,
  type MatmulCandidate,
} from '../src/ops/matmul-plan.ts';
import { expectTensorsClose, pair, webgpu } from './helpers.ts';

// Opened while the tests are collected: which candidates run here decides which tests there are.
const gpu: Device = await webgpu();
const traits = adapterTraits(gpu.gpu);
const CANDIDATES = allCandidates();
const RUNNABLE = CANDIDATES.filter((c) => c.unsupported(traits) === null);
const REJECTED = CANDIDATES.filter((c) => c.unsupported(traits) !== null);

// [M, K, N]: 1, 7, 33, 257 and other sizes that are no multiple of any tile; the multiples of 4
// give the vec4 kernels layouts they take, with edges inside their tiles.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [7, 33, 5],
  [33, 7, 257],
  [257, 31, 70],
  [1, 8, 4],
  [36, 20, 44],
  [260, 68, 76],
];
const LAYOUTS = [
  { name: 'a·b', ta: false, tb: false },
  { name: 'aᵀ·b', ta: true, tb: false },
  { name: 'a·bᵀ', ta: false, tb: true },
  { name: 'aᵀ·bᵀ', ta: true, tb: true },
];
const [RTOL, ATOL] = [1e-4, 1e-4];

function operand(rows: number, cols: number, transposed: boolean, seed: number): [Tensor, Tensor] {
  if (!transposed) return pair([rows, cols], seed, gpu);
  const [c, g] = pair([cols, rows], seed, gpu);
  return [c.t(), g.t()];
}

describe('every matmul candidate that runs on this adapter matches the cpu reference', () => {
  it('runs the families this adapter supports (lavapipe: subgroup kernels of 4 and 8 lanes, columns, both tiled)', () => {
    expect(new Set(RUNNABLE.map((c) => c.family))).toEqual(new Set(['subgroup', 'columns', 'tiled', 'tiled-vec4']));
  });

  for (const c of RUNNABLE) {
    it(`${c.name}: odd shapes, every layout it takes, and the bias+ReLU epilogue`, async () => {
      let ran = 0;
      for (const [M, K, N] of SHAPES) {
        for (const { ta, tb } of LAYOUTS) {
          const [ac, ag] = operand(M, K, ta, M * 7 + K);
          const [bc, bg] = operand(K, N, tb, N * 13 + K);
          const layout = productLayout(ag, bg);
          if (!c.takes(layout)) continue;
          ran++;
          await expectTensorsClose(launchProduct(ag, bg, null, false, c.plan(layout)), matmul(ac, bc), RTOL, ATOL);
        }
      }
      expect(ran).toBeGreaterThan(0);
      // The epilogue, on 260x68x76 in the first layout the candidate takes.
      const [biasC, biasG] = pair([76], 5, gpu);
      for (const { ta, tb } of LAYOUTS) {
        const [ac, ag] = operand(260, 68, ta, 3);
        const [bc, bg] = operand(68, 76, tb, 4);
        const layout = productLayout(ag, bg);
        if (!c.takes(layout)) continue;
        await expectTensorsClose(launchProduct(ag, bg, biasG, true, c.plan(layout)), relu(add(matmul(ac, bc), biasC)), RTOL, ATOL);
        break;
      }
    });
  }
});

describe('a candidate is never offered where it cannot work', () => {
  it('the subgroup kernels run here exactly when their width is at most the smallest subgroup', () => {
    const [min] = traits.subgroups ?? [0];
    for (const c of CANDIDATES.filter((x) => x.family === 'subgroup')) {
      const runs = c.unsupported(traits) === null;
      expect(runs, c.name).toBe(traits.subgroups !== null && Number(c.template.SG) <= min);
    }
  });

  const swiftShader: AdapterTraits = { software: true, subgroups: [4, 4], maxInvocations: 256, maxWorkgroupStorage: 16384 };
  const noSubgroups: AdapterTraits = { software: true, subgroups: null, maxInvocations: 256, maxWorkgroupStorage: 16384 };
  const nvidia: AdapterTraits = { software: false, subgroups: [32, 32], maxInvocations: 1024, maxWorkgroupStorage: 49152 };
  const tiny: AdapterTraits = { software: false, subgroups: null, maxInvocations: 128, maxWorkgroupStorage: 8192 };
  const runnable = (t: AdapterTraits) => CANDIDATES.filter((c) => c.unsupported(t) === null);
  const widths = (list: MatmulCandidate[]) => [...new Set(list.filter((c) => c.family === 'subgroup').map((c) => Number(c.template.SG)))].sort((x, y) => x - y);

  it("SwiftShader's 4-wide subgroups: only the 4-lane subgroup kernels, which the heuristics pick", () => {
    expect(widths(runnable(swiftShader))).toEqual([4]);
    expect(CANDIDATES.find((c) => c.template.SG === '8')!.unsupported(swiftShader)).toBe(
      "needs subgroups of at least 8 lanes (its workgroup of 8 must be one subgroup); this adapter's are 4-4",
    );
    expect(heuristicFamily(swiftShader, null)).toBe('subgroup');
    expect(heuristicFamily({ ...swiftShader, subgroups: [16, 16] }, null)).toBe('columns');
    expect(heuristicFamily({ ...swiftShader, subgroups: [4, 8] }, null)).toBe('columns');
    // a transposed a (a weight gradient's gzᵀ): the scalar kernel on 4 lanes, vec4-mn on 8
    const weightGrad = denseLayout(60, 256, 200, true);
    expect(heuristicCandidate(swiftShader, 'subgroup', weightGrad).name).toBe('matmul-subgroup SG=4 TM=32 TN=3');
    expect(heuristicCandidate({ ...swiftShader, subgroups: [8, 8] }, 'subgroup', weightGrad).name).toBe('matmul-vec4-mn SG=8 TM=24 TN=1');
  });

  it('no subgroups feature: no subgroup kernel at all', () => {
    expect(widths(runnable(noSubgroups))).toEqual([]);
    expect(CANDIDATES.find((c) => c.family === 'subgroup')!.unsupported(noSubgroups)).toBe("needs the 'subgroups' feature, which this adapter lacks");
    expect(() => heuristicFamily(noSubgroups, 'subgroup')).toThrow("the 'subgroup' matmul kernel needs subgroups of 4, 8, 16, 32, 64 lanes");
  });

  it('a GPU with 32-wide subgroups: widths up to 32; the heuristics pick the tiled kernel', () => {
    expect(widths(runnable(nvidia))).toEqual(SUBGROUP_SIZES.filter((s) => s <= 32));
    expect(heuristicFamily(nvidia, null)).toBe('tiled');
  });

  it('workgroup limits: kernels needing more invocations or workgroup memory than allowed are rejected', () => {
    const names = runnable(tiny).map((c) => c.name);
    expect(names).not.toContain('matmul');
    expect(names).toContain('matmul-tiled-vec4 WX=8 WY=8 RPT=4 TK=32');
    expect(names).not.toContain('matmul-tiled-vec4 WX=16 WY=16 RPT=4 TK=32');
    expect(CANDIDATES.find((c) => c.name === 'matmul')!.unsupported(tiny)).toBe('needs 256 invocations per workgroup; this adapter allows 128');
  });

  it.each(REJECTED.map((c) => [c.name, c] as const))("%s, rejected here, still compiles on this adapter (only its subgroup width doesn't fit)", async (_, c) => {
    expect(c.unsupported(traits)).toMatch(/^needs subgroups of at least \d+ lanes/);
    let code = kernelSource(c.file);
    for (const [k, v] of Object.entries(c.template)) code = code.replaceAll(`{{${k}}}`, v);
    const info = await gpu.gpu.device.createShaderModule({ code }).getCompilationInfo();
    expect(info.messages.filter((m) => m.type === 'error').map((m) => m.message)).toEqual([]);
  });
});
