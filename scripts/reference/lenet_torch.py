#!/usr/bin/python3
"""examples/lenet's recipe in PyTorch, on the same data, for side-by-side accuracy and time:

    /usr/bin/python3 scripts/reference/lenet_torch.py --dataset mnist-sample --epochs 10
    /usr/bin/python3 scripts/reference/lenet_torch.py --dataset fashion-mnist --epochs 10

LeNet-5 (scripts/torch_lenet.py), CrossEntropyLoss, SGD lr 0.01 momentum 0.9, batches of 64,
ToTensor + Normalize(0.5, 0.5), shuffled. As the example does, it measures the training accuracy
every --eval-every epochs, keeps the best net, and counts the test images that net classifies
correctly. The time covers the whole run (training, evaluations and test), as the example's
does. One thread (torch.set_num_threads(1)); with libopenblas0-pthread installed, set
OPENBLAS_NUM_THREADS as DESIGN.md says. Needs Debian's python3-torch; not used by the tests.
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
from torch_lenet import LeNet, count_correct, loader  # noqa: E402
from torch_threenet import fashion_mnist, mnist_sample  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--dataset', choices=['mnist-sample', 'fashion-mnist'], default='mnist-sample')
    p.add_argument('--epochs', type=int, default=10)
    p.add_argument('--eval-every', type=int, default=1)
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--lr', type=float, default=0.01)
    p.add_argument('--momentum', type=float, default=0.9)
    p.add_argument('--seed', type=int, default=0)
    args = p.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    (xtr, ytr), (xte, yte) = mnist_sample() if args.dataset == 'mnist-sample' else fashion_mnist()
    train_loader = loader(xtr, ytr, args.batch_size, True)
    test_loader = loader(xte, yte, args.batch_size, False)
    net = LeNet()
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=args.lr, momentum=args.momentum)
    best, best_net = 0, None
    start = time.time()
    for epoch in range(args.epochs):
        epoch_start = time.time()
        for inputs, labels in train_loader:
            optimizer.zero_grad()
            loss = criterion(net(inputs), labels)
            loss.backward()
            optimizer.step()
        seconds = time.time() - epoch_start
        line = 'epoch: %d time: %.2f s loss: %.4f' % (epoch + 1, seconds, loss.item())
        if epoch % args.eval_every == args.eval_every - 1:
            correct, total = count_correct(net, train_loader)
            if correct / total >= best:
                best, best_net = correct / total, copy.deepcopy(net)
            line += ' train accuracy: %.3f %%' % (100 * correct / total)
        print(line, flush=True)
    correct, total = count_correct(best_net or net, test_loader)
    print(json.dumps({'dataset': args.dataset, 'epochs': args.epochs, 'torch': torch.__version__, 'best_train_accuracy': best,
                      'test_correct': correct, 'test_total': total, 'test_accuracy': correct / total,
                      'seconds': round(time.time() - start, 2)}))


if __name__ == '__main__':
    main()
