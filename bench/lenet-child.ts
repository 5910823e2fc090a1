// LeNet-5 training on Fashion-MNIST through the public API, for `pnpm bench` until examples/lenet
// (issue 14) is in main; then the bench runs the example instead and this file goes. It takes the
// example's flags that the bench uses (--dataset fashion-mnist, --epochs, --max-steps, --log-every,
// --out, which it ignores: it writes nothing; always --json) and
// prints the example's events ('start', 'step', 'epoch', 'stopped'), so the parent reads both
// the same way. The recipe is issue 14's: conv1 1→6 5×5 pad 2, ReLU, max-pool 2, conv2 6→16
// 5×5, ReLU, max-pool 2, flatten, 400→120→84→10 with ReLUs, CrossEntropyLoss, SGD(lr 0.01,
// momentum 0.9), batch 64, Normalize(0.5, 0.5), shuffled.
import { parseArgs } from 'node:util';
import { Compose, DataLoader, Normalize, ToTensor } from '@mini/data';
import { FashionMNIST } from '@mini/data/node';
import { F, nn } from '@mini/nn';
import { optim } from '@mini/optim';
import * as torch from '@mini/tensor';
import type { Tensor } from '@mini/tensor';

const { values } = parseArgs({
  options: { dataset: { type: 'string' }, out: { type: 'string' }, epochs: { type: 'string' }, 'max-steps': { type: 'string' }, 'log-every': { type: 'string' }, json: { type: 'boolean' } },
});
if ((values.dataset ?? 'fashion-mnist') !== 'fashion-mnist') throw new Error(`lenet-child.ts trains on fashion-mnist only, found --dataset ${values.dataset}`);
const epochs = Number(values.epochs ?? 1);
const maxSteps = values['max-steps'] === undefined ? Infinity : Number(values['max-steps']);
const logEvery = values['log-every'] === undefined ? null : Number(values['log-every']);
const batchSize = 64;

class LeNet extends nn.Module {
  conv1 = new nn.Conv2d(1, 6, 5, { padding: 2 });
  conv2 = new nn.Conv2d(6, 16, 5);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);

  forward(input: Tensor): Tensor {
    let x = F.maxPool2d(F.relu(this.conv1.forward(input)), 2);
    x = F.maxPool2d(F.relu(this.conv2.forward(x)), 2);
    x = x.flatten(1);
    x = F.relu(this.fc1.forward(x));
    x = F.relu(this.fc2.forward(x));
    return this.fc3.forward(x);
  }
}

const emit = (event: object) => process.stdout.write(`${JSON.stringify(event)}\n`);

await torch.init('webgpu');
torch.manualSeed(0);
const transform = Compose([ToTensor(), Normalize([0.5], [0.5])]);
const train = new FashionMNIST('data', { train: true, transform });
await train.ready;
const loader = new DataLoader(train, { batchSize, shuffle: true, generator: new torch.Generator(1) });
const model = new LeNet().to(torch.getDefaultDevice());
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
emit({ type: 'start', device: 'webgpu', dataset: 'fashion-mnist', trainSize: train.length, testSize: 0, epochs, steps: loader.length });

let done = 0;
for (let epoch = 1; epoch <= epochs && done < maxSteps; epoch++) {
  const start = performance.now();
  let step = 0;
  let last: Tensor | null = null;
  for await (const [data, labels] of loader) {
    last?.dispose();
    last = torch.tidy(() => {
      optimizer.zeroGrad();
      const loss = criterion.forward(model.forward(data), labels);
      loss.backward();
      optimizer.step();
      return loss;
    });
    step++;
    done++;
    if (logEvery !== null && done % logEvery === 0) {
      const loss = await last.item();
      emit({ type: 'step', epoch, step, loss, samplesPerSecond: (step * batchSize) / ((performance.now() - start) / 1000) });
    }
    if (done >= maxSteps) break;
  }
  const loss = await last!.item();
  last!.dispose();
  const seconds = (performance.now() - start) / 1000;
  if (done >= maxSteps) emit({ type: 'stopped', reason: `--max-steps ${maxSteps} reached`, checkpoint: null });
  else emit({ type: 'epoch', epoch, loss, seconds, samplesPerSecond: (step * batchSize) / seconds });
}
torch.shutdown();
