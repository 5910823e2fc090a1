// Each page test file starts with the matmul tuner off, as `MINI_TUNE=off` does for the Node
// suite (vitest.config.ts): a page has no environment, so the API says it.
import { setTuneMode } from '@mini/tensor/internal';

setTuneMode('off');
