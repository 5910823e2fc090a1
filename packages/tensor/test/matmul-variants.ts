import type { Tensor } from '@mini/tensor';
import { matmulPlan } from '../src/ops/matmul.ts';

/** Every specialization each kernel family must run across a test's shapes and layouts. */
export const VARIANTS: Record<string, string[]> = {
  subgroup: ['matmul-vec4-k', 'matmul-vec4-n', 'matmul-vec4-mn', 'matmul-subgroup along k', 'matmul-subgroup along m', 'matmul-columns'],
  columns: ['matmul-columns'],
  tiled: ['matmul'],
  'tiled-vec4': ['matmul-tiled-vec4'],
};

/** The kernel (and, for matmul-subgroup, the way it reads a) that a product of a and b takes. */
export function variantName(a: Tensor, b: Tensor): string {
  const { family, constants } = matmulPlan(a, b);
  if (family === 'matmul-subgroup') return `${family} along ${constants.A_ALONG_M === 1 ? 'm' : 'k'}`;
  return family;
}
