// @ts-check
// A few ThreeNet steps as the README shows them, in plain JavaScript: the consumer test runs this
// file under plain `node` against the installed tarballs, and with tsx in the repo, and compares.
import * as torch from '@mini/tensor';
import { nn, F } from '@mini/nn';
import { optim } from '@mini/optim';

class ThreeNet extends nn.Module {
  fc1 = new nn.Linear(784, 200);
  fc2 = new nn.Linear(200, 60);
  fc3 = new nn.Linear(60, 10);

  /** @param {torch.Tensor} input */
  forward(input) {
    let x = F.relu(this.fc1.forward(input));
    x = F.relu(this.fc2.forward(x));
    return F.logSoftmax(this.fc3.forward(x), 1);
  }
}

const device = await torch.init(); // WebGPU (MINI_DEVICE=cpu for the CPU)
torch.manualSeed(0);
const model = new ThreeNet();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
const criterion = new nn.NLLLoss();
const x = torch.randn([256, 784]);
const y = torch.randint(0, 10, [256]);
let loss = torch.zeros([]);
for (let step = 0; step < 5; step++) {
  loss.dispose();
  loss = torch.tidy(() => {
    const loss = criterion.forward(model.forward(x), y);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    return loss;
  });
}
const value = await loss.item();
if (!Number.isFinite(value)) throw new Error(`the loss is not finite: ${value}`);
console.log(`ThreeNet, 5 SGD steps on ${device}: loss ${value}`);
torch.shutdown();
