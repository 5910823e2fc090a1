// Entry point run in a fresh process by first-step.ts: how long until the first ThreeNet training
// step has run (imports, device, data upload, pipeline compilation), then a steady step for scale.
import { init } from '@mini/tensor';
import { ThreeNetTrainer } from './threenet.ts';

const imported = performance.now();
const device = await init('webgpu');
const ready = performance.now();
const trainer = new ThreeNetTrainer(device);
const dataReady = performance.now();
const first = trainer.step(0);
await first.item();
const firstStep = performance.now();
first.dispose();
const second = trainer.step(1);
await second.item();
const secondStep = performance.now();
second.dispose();
// performance.now() counts from process start.
console.log(
  JSON.stringify({
    sinceStart: firstStep,
    imports: imported,
    device: ready - imported,
    data: dataReady - ready,
    firstStep: firstStep - dataReady,
    steadyStep: secondStep - firstStep,
  }),
);
process.exit(0);
