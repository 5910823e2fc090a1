// The engine, grad modes and in-place recording live in @mini/tensor, so that backward() works with
// it alone; this package gathers torch.autograd's API in one place and adds gradcheck.
import { autograd } from '@mini/tensor';

/** Computes and accumulates the gradients of tensors into the leaves' .grad, like torch.autograd.backward. */
export const backward = autograd.backward;
/** The gradients of outputs with respect to inputs, returned rather than accumulated, like torch.autograd.grad. */
export const grad = autograd.grad;
export type { GradOptions } from '@mini/tensor';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled, GradFn } from '@mini/tensor';
export { gradcheck, type GradcheckOptions } from './gradcheck.ts';
