/**
 * A training-like loop that never awaits and never disposes: every tensor it creates stays live
 * (garbage collection cannot run), so it grows until the device's buffer limit. Run as a child
 * process by memory-limit.test.ts; prints 'finished' if it ever gets to the end.
 */
import { init, randn } from '@mini/tensor';

const device = await init('webgpu');
const x = randn([64, 100], { device });
const w = randn([100, 50], { device, requiresGrad: true });
for (let i = 0; i < Number(process.argv[2]); i++) x.matmul(w).relu().sum().backward();
console.log('finished');
