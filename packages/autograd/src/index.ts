import './engine.ts';

export { backward } from './engine.ts';
export { noGrad, enableGrad } from './grad-mode.ts';
export { gradcheck, type GradcheckOptions } from './gradcheck.ts';
export { isGradEnabled, setGradEnabled, GradFn } from '@mini/tensor';
