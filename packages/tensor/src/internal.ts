/// <reference types="@webgpu/types" preserve="true" />
/**
 * `@mini/tensor/internal`: what the other mini packages and the tests use to build on the
 * tensor core (kernel launches, the autograd tape, kernel selection, host access), kept out of
 * the public API. Nothing here is stable for users.
 * @module
 */
export type { KernelSpec, Kernel } from './device/webgpu.ts';
export { record } from './autograd-hooks.ts';
export { matmulPlan, matmulCandidate, setMatmulKernel, type MatmulPlan } from './ops/matmul.ts';
export { adapterTraits, allCandidates, candidatesFor, denseLayout, productLayout, type MatmulCandidate, type ProductLayout, type AdapterTraits } from './ops/matmul-plan.ts';
export { tuneStoreWritten } from '#tune-store';
export { tunerFor, tuneMode, setTuneMode, shapeClass, TUNE_MODES, type TuneMode, type TuneOutcome } from './tune/tuner.ts';
export { convClass, type ConvPass } from './tune/conv-tuning.ts';
export { geometry as convGeometry } from './ops/conv.ts';
export { launch, grid, stridingGrid, wgslType } from './ops/gpu.ts';
export type { ParamValues } from './device/params-layout.ts';
export { BufferPool } from './device/buffer-pool.ts';
export { environment, envVar, warn, isNode } from './env.ts';
export * as testing from './testing.ts';
