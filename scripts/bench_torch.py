"""PyTorch CPU, the peer that `pnpm bench` (bench/peers.ts) compares with.

Run with Debian's torch: /usr/bin/python3 scripts/bench_torch.py MODE [...]. The parent sets
OPENBLAS_NUM_THREADS=2; here torch.set_num_threads(1), or OpenBLAS and torch's own threads fight
over the two cores. Modes (each prints one JSON line):
  epoch --model threenet|lenet   training epochs on Fashion-MNIST's 60,000 training images,
             preloaded: every image normalized once (ToTensor + Normalize(0.5, 0.5)) into one
             float tensor, batches index_select'ed by a shuffled permutation (the fastest way to
             feed PyTorch). ThreeNet: the seed's recipe (NLLLoss of log_softmax, SGD lr 0.01,
             batch 256). LeNet: issue 14's (CrossEntropyLoss, SGD lr 0.01 momentum 0.9, batch 64).
             One warm-up run, then --runs runs, each a whole epoch or --steps steps scaled to one.
  first-step  the seed's imports (torch, torchvision), ThreeNet, one training step on one batch of
             256: run as a whole process, timed from outside by the parent.
  kernels    conv2d forward, grad input and grad weight (aten's convolution_backward with one
             output mask each) for the shapes given as JSON in --shapes, and OpenBLAS's sgemm
             (torch.mm) of 2048³; GFLOP/s per op.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

from torch_lenet import LeNet
from torch_threenet import NNModule, fashion_mnist

IMAGES = 60_000


RECIPES = {
    # model, batch, input shape of a batch, loss, optimizer
    'threenet': (NNModule, 256, (-1, 784), lambda out, y: F.nll_loss(out, y), lambda p: torch.optim.SGD(p, lr=1e-2)),
    'lenet': (LeNet, 64, (-1, 1, 28, 28), lambda out, y: F.cross_entropy(out, y), lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9)),
}


def environment():
    return {
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        # Debian's torch calls whichever BLAS the libblas.so.3 alternative points at.
        'blas': os.path.basename(os.path.dirname(os.path.realpath('/usr/lib/x86_64-linux-gnu/libblas.so.3'))),
        'openblas_threads': os.environ.get('OPENBLAS_NUM_THREADS'),
    }


def epoch(args):
    make, batch, shape, loss_fn, optimizer = RECIPES[args.model]
    (images, labels), _ = fashion_mnist()
    x = images.float().div_(255).sub_(0.5).div_(0.5).reshape(shape)
    y = labels
    net = make()
    opt = optimizer(net.parameters())
    steps_per_epoch = math.ceil(IMAGES / batch)
    steps = min(args.steps or steps_per_epoch, steps_per_epoch)

    def run():
        perm = torch.randperm(IMAGES)
        start = time.perf_counter()
        for s in range(steps):
            idx = perm[s * batch:(s + 1) * batch]
            opt.zero_grad()
            loss = loss_fn(net(x.index_select(0, idx)), y.index_select(0, idx))
            loss.backward()
            opt.step()
        loss.item()
        return (time.perf_counter() - start) * steps_per_epoch / steps

    run()  # warm-up
    seconds = [run() for _ in range(args.runs)]
    return {'model': args.model, 'seconds': seconds, 'steps_timed': steps, 'steps_per_epoch': steps_per_epoch, **environment()}


def first_step(_args):
    import torchvision  # noqa: F401  (the seed imports it for its datasets and transforms)

    net = NNModule()
    opt = torch.optim.SGD(net.parameters(), lr=1e-2)
    x, y = torch.randn(256, 784), torch.randint(0, 10, (256,))
    opt.zero_grad()
    loss = F.nll_loss(net(x), y)
    loss.backward()
    opt.step()
    return {'loss': loss.item(), **environment()}


def kernels(args):
    rows = []
    for s in json.loads(args.shapes):
        n, cin, cout, k, size, pad = s['batch'], s['in'], s['out'], s['kernel'], s['size'], s['padding']
        x, w = torch.randn(n, cin, size, size), torch.randn(cout, cin, k, k)
        out = size + 2 * pad - k + 1
        flops = 2 * n * cout * out * out * cin * k * k
        gy = torch.randn(n, cout, out, out)

        def backward(mask):
            return lambda: torch.ops.aten.convolution_backward(gy, x, w, [cout], [1, 1], [pad, pad], [1, 1], False, [0, 0], 1, mask)

        ops = {'forward': lambda: F.conv2d(x, w, padding=pad), 'grad input': backward([True, False, False]), 'grad weight': backward([False, True, False])}
        for name, fn in ops.items():
            fn()
            reps = max(1, min(200, round(2e8 / flops)))
            gflops = []
            for _ in range(args.runs):
                start = time.perf_counter()
                for _ in range(reps):
                    fn()
                gflops.append(flops * reps / (time.perf_counter() - start) / 1e9)
            rows.append({'name': s['name'], 'op': name, 'gflops': gflops})
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    torch.mm(a, b)
    sgemm = []
    for _ in range(args.runs):
        start = time.perf_counter()
        torch.mm(a, b)
        sgemm.append(2 * 2048 ** 3 / (time.perf_counter() - start) / 1e9)
    return {'rows': rows, 'sgemm': sgemm, **environment()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('mode', choices=['epoch', 'first-step', 'kernels'])
    parser.add_argument('--model', choices=sorted(RECIPES), default='threenet')
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--steps', type=int, default=0, help='steps per run (0: a whole epoch)')
    parser.add_argument('--shapes', default='[]', help='conv shapes, JSON')
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    print(json.dumps({'epoch': epoch, 'first-step': first_step, 'kernels': kernels}[args.mode](args)))
    sys.stdout.flush()


if __name__ == '__main__':
    main()
