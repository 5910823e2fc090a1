/** torch.nn.utils: `nn.utils.clipGradNorm_`, `nn.utils.clipGradValue_`. */
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions } from './clip-grad.ts';
