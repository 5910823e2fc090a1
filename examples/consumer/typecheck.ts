// Every entry point, used with the types a user relies on: the consumer test type-checks this
// (strict, NodeNext, no skipLibCheck) against the installed tarballs.
import * as torch from '@mini/tensor';
import type { Tensor, DType } from '@mini/tensor';
import { nn, F, Module, type StateDict } from '@mini/nn';
import { save, load } from '@mini/nn/node';
import { optim, lrScheduler } from '@mini/optim';
import { noGrad, gradcheck } from '@mini/autograd';
import { DataLoader, TensorDataset, Compose, ToTensor, Normalize } from '@mini/data';
import { MNIST, readIdx, downloadResources } from '@mini/data/node';
import { MNISTSample } from '@mini/mnist-sample';
import { readMNISTSample } from '@mini/mnist-sample/node';

export async function typed(): Promise<number> {
  const model: nn.Sequential = new nn.Sequential(new nn.Linear(784, 10), new nn.ReLU());
  const asModule: Module = model;
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const scheduler = new lrScheduler.StepLR(optimizer, 10);
  const x: Tensor = torch.randn([4, 784]);
  const dtype: DType = x.dtype;
  const loss = F.crossEntropy(model.forward(x), torch.randint(0, 10, [4]));
  loss.backward();
  optimizer.step();
  scheduler.step();
  const state: StateDict = model.stateDict();
  await save(state, 'model.safetensors');
  model.loadStateDict(await load('model.safetensors'));
  const loader = new DataLoader(new TensorDataset(x), { batchSize: 2 });
  const transform = Compose([ToTensor(), Normalize([0.5], [0.5])]);
  const datasets = [new MNIST('data', { transform, download: false }), new MNISTSample(readMNISTSample(), { train: false })];
  void [asModule, loader, datasets, readIdx, downloadResources, gradcheck, dtype];
  return noGrad(() => loss.item());
}
