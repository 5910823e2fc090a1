/** torch.autograd's functions: `import { autograd } from '@mini/tensor'; autograd.grad(y, [x])`. */
export { backward, grad, type GradOptions } from './engine.ts';
