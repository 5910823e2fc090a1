// The entry of the consumer test's Vite browser build: the core packages must bundle for a page
// without any Node built-in.
import * as torch from '@mini/tensor';
import { nn, F } from '@mini/nn';
import { optim } from '@mini/optim';
import { DataLoader, FetchedMNIST, TensorDataset } from '@mini/data';

export async function step(): Promise<number> {
  await torch.init();
  const model = new nn.Sequential(new nn.Linear(784, 10));
  const optimizer = new optim.Adam(model.parameters());
  const x = torch.randn([8, 784]);
  const loader = new DataLoader(new TensorDataset(x, torch.randint(0, 10, [8])), { batchSize: 4 });
  let last = 0;
  for await (const [data, labels] of loader) {
    const loss = F.crossEntropy(model.forward(data), labels);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    last = await loss.item();
  }
  return last;
}

/** MNIST fetched over HTTP in a page (fetch, DecompressionStream, MD5): the data path a page has. */
export function mnist(baseUrl: string): FetchedMNIST {
  return new FetchedMNIST(baseUrl, { train: false });
}
