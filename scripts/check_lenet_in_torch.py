#!/usr/bin/python3
"""Checks that PyTorch loads the best.safetensors of a `pnpm example:lenet` run into the same
nn.Module with strict=True, and that those weights classify the run's test set as mini did.

Usage (Debian's python3-torch 1.13):
  /usr/bin/python3 scripts/check_lenet_in_torch.py [RUN_DIR]     (default: runs/lenet)

RUN_DIR holds what the example wrote: best.safetensors (the model it tested) and run.json (its
dataset and test count). The file is read by check_safetensors_in_torch.load_file, which follows
safetensors.torch.load_file; load_state_dict(strict=True) into scripts/torch_lenet.LeNet refuses
any missing, unexpected or misshapen tensor. The test count must match mini's to within 0.5 % of
the test set: both run in float32, and an image on a decision boundary may go either way.
"""
import json
import pathlib
import sys

import torch

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'scripts'))
from check_safetensors_in_torch import load_file  # noqa: E402
from torch_lenet import LeNet, count_correct, loader  # noqa: E402
from torch_threenet import fashion_mnist, mnist_sample  # noqa: E402

TOLERANCE = 0.005


def main():
    folder = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / 'runs' / 'lenet')
    weights = folder / 'best.safetensors'
    run = json.loads((folder / 'run.json').read_text())
    state = load_file(weights)
    print(f'{weights}: ' + ', '.join(f'{k} {list(v.shape)} {v.dtype}' for k, v in state.items()))
    net = LeNet()
    print('load_state_dict(strict=True):', net.load_state_dict(state, strict=True))
    dataset = run['config']['dataset']
    if dataset not in ('mnist-sample', 'fashion-mnist'):
        sys.exit(f'run.json: dataset {dataset} is not one this script can read (mnist-sample, fashion-mnist)')
    _, (xte, yte) = mnist_sample() if dataset == 'mnist-sample' else fashion_mnist()
    net.eval()
    correct, total = count_correct(net, loader(xte, yte, 256, False))
    ours, theirs = run['results']['testCorrect'], run['results']['testTotal']
    print(f'{dataset} test set: torch {torch.__version__} classifies {correct}/{total} correctly, mini {ours}/{theirs}')
    if total != theirs or abs(correct - ours) > TOLERANCE * total:
        sys.exit(f'FAIL: the counts differ by more than {TOLERANCE * 100} % of the test set')
    print('OK: PyTorch loads the LeNet saved by mini (strict=True) and scores what mini scored')


if __name__ == '__main__':
    main()
