import type { Tensor, WebGPURuntime } from '@mini/tensor';
import { matmulPlan } from '../src/ops/matmul.ts';
import { adapterTraits } from '../src/ops/matmul-plan.ts';

const VARIANTS: Record<string, string[]> = {
  subgroup: ['matmul-vec4-k', 'matmul-vec4-n', 'matmul-vec4-mn', 'matmul-subgroup along k', 'matmul-subgroup along m', 'matmul-columns'],
  columns: ['matmul-columns'],
  tiled: ['matmul'],
  'tiled-vec4': ['matmul-tiled-vec4'],
};

/**
 * Every specialization a kernel family must run across a test's shapes and layouts on this
 * adapter: with 4-lane subgroups (SwiftShader) a transposed a takes the scalar subgroup kernel,
 * not vec4-mn (the heuristics' choice there, matmul-plan.ts).
 */
export function variants(kernel: string, gpu: WebGPURuntime): string[] {
  const fourLanes = adapterTraits(gpu).subgroups?.[0] === 4;
  return VARIANTS[kernel].filter((v) => !(fourLanes && v === 'matmul-vec4-mn'));
}

/** The kernel (and, for matmul-subgroup, the way it reads a) that a product of a and b takes. */
export function variantName(a: Tensor, b: Tensor): string {
  const { family, constants } = matmulPlan(a, b);
  if (family === 'matmul-subgroup') return `${family} along ${constants.A_ALONG_M === 1 ? 'm' : 'k'}`;
  return family;
}
