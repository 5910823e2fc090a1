/**
 * Saves a trained ThreeNet with @mini/nn for scripts/check_safetensors_in_torch.py:
 *   OUT/threenet_mini.safetensors  the state dict (fc1.weight, ...), written by nn.save
 *   OUT/threenet_mini.json         four inputs and the log-probabilities mini predicts for them
 * Usage: npx tsx packages/nn/test/tools/save-threenet-for-torch.ts OUT   (MINI_DEVICE=cpu for the cpu device)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, fromArray, init, manualSeed, shutdown } from '@mini/tensor';
import { nn } from '@mini/nn';
import { save } from '@mini/nn/node';
import { optim } from '@mini/optim';
import { D, K, NNModule } from '../threenet.ts';

const out = process.argv[2];
if (!out) {
  console.error('usage: save-threenet-for-torch.ts OUT_DIR');
  process.exit(2);
}
const device = await init();
manualSeed(0);
const module = new NNModule();
const criterion = new nn.NLLLoss();
const optimizer = new optim.SGD(module.parameters(), { lr: 0.1, momentum: 0.9 });
const g = new Generator(3);
const uniform = (n: number) => Float32Array.from({ length: n }, () => g.uniform() * 2 - 1);
const data = fromArray(uniform(64 * D), [64, D]);
const labels = fromArray(Int32Array.from({ length: 64 }, () => g.integer(0, K)), [64]);
for (let step = 0; step < 5; step++) {
  const loss = criterion.call(module.forward(data), labels);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
}
const input = uniform(4 * D);
const logProbs = await module.forward(fromArray(input, [4, D])).toArray();
mkdirSync(out, { recursive: true });
await save(module.stateDict(), join(out, 'threenet_mini.safetensors'), { writer: '@mini/nn', device: device.type });
const rows = (values: ArrayLike<number>, width: number) =>
  Array.from({ length: values.length / width }, (_, i) => Array.from(values).slice(i * width, (i + 1) * width));
writeFileSync(join(out, 'threenet_mini.json'), JSON.stringify({ device: device.type, input: rows(input, D), logProbs: rows(logProbs, K) }));
console.log(`saved a ThreeNet trained 5 steps on ${device.type} to ${out}`);
shutdown();
