/**
 * What the example programs share around their training loops, so that each loop reads like its
 * PyTorch original: flags (args.ts), datasets, the Run (progress, checkpoints, --resume, NaN
 * guard, metrics, plots, run.json) and how it is reported.
 */
export { helpText, parseConfig, UsageError, type Config, type Defaults, type Example } from './args.ts';
export { openDatasets, type ImageLoader } from './datasets.ts';
export { Run } from './run.ts';
