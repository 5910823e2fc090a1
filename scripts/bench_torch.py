"""The ThreeNet epoch in PyTorch CPU, the peer that `pnpm bench` (bench/peers.ts) compares with.

Run with Debian's torch: /usr/bin/python3 scripts/bench_torch.py --mode preloaded|recipe.
The parent sets OPENBLAS_NUM_THREADS=2; here torch.set_num_threads(1), or OpenBLAS and torch's
own threads fight over the two cores. Data: MNIST-shaped synthetic uint8 images and labels (the
timing does not depend on the pixels). Modes:
  preloaded  every image normalized once into one float tensor; batches are index_select by a
             shuffled permutation (the fastest way to feed PyTorch).
  recipe     the seed's recipe: a torchvision-style Dataset that makes a PIL image per item and
             applies Grayscale, ToTensor, Normalize(0.5, 0.5); DataLoader(batch 256, shuffle).
Each run is a whole epoch, or --steps steps scaled to an epoch (said so in the output).
Prints one JSON line: {"seconds": [per-epoch seconds...], "extrapolated": bool, ...}.
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

from torch_threenet import NNModule

IMAGES, PIXELS, BATCH = 60_000, 784, 256


def synthetic(seed=1):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (IMAGES, 28, 28), dtype=np.uint8), rng.integers(0, 10, IMAGES, dtype=np.int64)


class SyntheticMNIST(Dataset):
    """What torchvision.datasets.MNIST does per item: a PIL image from the uint8 array, then the transform."""

    def __init__(self, images, labels, transform):
        self.images, self.labels, self.transform = torch.from_numpy(images), torch.from_numpy(labels), transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        img = Image.fromarray(self.images[i].numpy(), mode='L')
        return self.transform(img), int(self.labels[i])


def train_step(net, opt, x, y):
    opt.zero_grad()
    loss = F.nll_loss(net(x.view(-1, PIXELS)), y)
    loss.backward()
    opt.step()
    return loss


def preloaded_batches(images, labels):
    x = torch.from_numpy(images).reshape(IMAGES, PIXELS).float().div_(255).sub_(0.5).div_(0.5)
    y = torch.from_numpy(labels)

    def batches():
        perm = torch.randperm(IMAGES)
        for s in range(0, IMAGES, BATCH):
            idx = perm[s:s + BATCH]
            yield x.index_select(0, idx), y.index_select(0, idx)

    return batches


def recipe_batches(images, labels):
    transform = transforms.Compose([transforms.Grayscale(), transforms.ToTensor(), transforms.Normalize(mean=(0.5,), std=(0.5,))])
    loader = DataLoader(SyntheticMNIST(images, labels, transform), batch_size=BATCH, shuffle=True)
    return lambda: iter(loader)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--mode', choices=['preloaded', 'recipe'], required=True)
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--steps', type=int, default=0, help='steps per run (0: a whole epoch)')
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    images, labels = synthetic()
    batches = (preloaded_batches if args.mode == 'preloaded' else recipe_batches)(images, labels)
    net = NNModule()
    opt = torch.optim.SGD(net.parameters(), lr=1e-2)
    steps_per_epoch = math.ceil(IMAGES / BATCH)
    steps = args.steps or steps_per_epoch

    def run():
        start = time.perf_counter()
        for i, (x, y) in enumerate(batches()):
            if i == steps:
                break
            loss = train_step(net, opt, x, y)
        loss.item()
        return (time.perf_counter() - start) * steps_per_epoch / steps

    run()  # warm-up
    seconds = [run() for _ in range(args.runs)]
    print(json.dumps({
        'mode': args.mode,
        'seconds': seconds,
        'steps_timed': steps,
        'steps_per_epoch': steps_per_epoch,
        'extrapolated': steps != steps_per_epoch,
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        # Debian's torch calls whichever BLAS the libblas.so.3 alternative points at.
        'blas': os.path.basename(os.path.dirname(os.path.realpath('/usr/lib/x86_64-linux-gnu/libblas.so.3'))),
        'openblas_threads': os.environ.get('OPENBLAS_NUM_THREADS'),
    }))


if __name__ == '__main__':
    main()
