import * as torch from '@mini/tensor';
import { denseLayout, tunerFor, shapeClass } from '@mini/tensor/internal';
import { report } from './settings.ts';

const device = await torch.init('webgpu');
const tuner = tunerFor(device);
const layouts = [
  denseLayout(256, 784, 200, false, true),
  denseLayout(256, 200, 60, false, true),
  denseLayout(256, 60, 10, false, true),
  denseLayout(256, 10, 60),
  denseLayout(256, 60, 200),
  denseLayout(10, 256, 60, true),
  denseLayout(60, 256, 200, true),
  denseLayout(200, 256, 784, true),
];
const lines: string[] = [];
for (const l of layouts) {
  const o = await tuner.tune(l, 'full', { budgetMs: 6000 });
  lines.push(`${shapeClass(l)} ${l.M}x${l.K}x${l.N}: winner ${o.winner} ${o.gflops.toFixed(2)} GF/s, heuristic ${o.heuristic} ${o.heuristicGflops?.toFixed(2)}, ${o.elapsedMs.toFixed(0)} ms`);
  for (const t of o.tried) lines.push(`   ${t.name}: ${t.seconds === null ? t.rejected : ((2 * l.M * l.N * l.K) / t.seconds / 1e9).toFixed(2) + ' GF/s'}`);
}
report({ library: 'profile', backend: '', stepSeconds: [], losses: [], setupSeconds: 0, tuner: lines.join('\n') });
