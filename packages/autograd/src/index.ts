import './engine.ts';

export { backward } from './engine.ts';
export { noGrad, enableGrad } from './grad-mode.ts';
export { isGradEnabled, setGradEnabled, GradFn } from '@mini/tensor';
