#!/usr/bin/python3
"""Checks that a ThreeNet saved by @mini/nn loads in PyTorch and predicts what mini predicts.

Usage (Debian's python3-torch 1.13):
  /usr/bin/python3 scripts/check_safetensors_in_torch.py          saves one with mini first (npx tsx)
  /usr/bin/python3 scripts/check_safetensors_in_torch.py DIR      checks DIR/threenet_mini.{safetensors,json}

The `safetensors` package is not installable here (no PyPI), so load_file below reads the format
as safetensors.torch.load_file does: the 8-byte little-endian header length, the JSON header
(validated as the reference implementation validates it: known dtypes, shapes matching the byte
ranges, the data section indexed entirely without holes), and each tensor through
torch.frombuffer, keyed by name in sorted order. The weights then go through
model.load_state_dict(strict=True) into the seed's NNModule, whose log-probabilities on mini's
inputs must match mini's to a relative error (max |torch - mini| / max |mini|) of 1e-4.
"""
import json
import pathlib
import struct
import subprocess
import sys
import tempfile

import torch

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'scripts'))
from torch_threenet import NNModule  # noqa: E402  (the seed's ThreeNet)

DTYPES = {
    'BOOL': torch.bool, 'U8': torch.uint8, 'I8': torch.int8, 'I16': torch.int16, 'I32': torch.int32,
    'I64': torch.int64, 'F16': torch.float16, 'BF16': torch.bfloat16, 'F32': torch.float32, 'F64': torch.float64,
}
TOLERANCE = 1e-4


def load_file(path, device='cpu'):
    """safetensors.torch.load_file, after the format's specification."""
    assert sys.byteorder == 'little', 'safetensors data is little-endian'
    data = pathlib.Path(path).read_bytes()
    (n,) = struct.unpack('<Q', data[:8])
    if len(data) < 8 + n:
        raise ValueError(f'{path}: header of {n} bytes does not fit in the file')
    text = data[8:8 + n]
    if not text.startswith(b'{'):
        raise ValueError(f'{path}: header does not start with {{')
    header = json.loads(text.decode('utf-8'))
    header.pop('__metadata__', None)
    buffer = data[8 + n:]
    at = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]['data_offsets']):
        begin, end = info['data_offsets']
        dtype = DTYPES[info['dtype']]
        numel = 1
        for d in info['shape']:
            numel *= d
        if begin != at or end - begin != numel * torch.empty(0, dtype=dtype).element_size():
            raise ValueError(f'{path}: tensor {name} has invalid data_offsets {info["data_offsets"]}')
        at = end
    if at != len(buffer):
        raise ValueError(f'{path}: the data section is not entirely indexed ({at} of {len(buffer)} bytes)')
    tensors = {}
    for name in sorted(header):
        info = header[name]
        begin, end = info['data_offsets']
        dtype = DTYPES[info['dtype']]
        flat = torch.frombuffer(bytearray(buffer[begin:end]), dtype=dtype) if end > begin else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(info['shape']).to(device)
    return tensors


def main():
    if len(sys.argv) > 1:
        folder = pathlib.Path(sys.argv[1])
    else:
        folder = pathlib.Path(tempfile.mkdtemp(prefix='mini-to-torch-'))
        tool = ROOT / 'packages' / 'nn' / 'test' / 'tools' / 'save-threenet-for-torch.ts'
        subprocess.run(['npx', 'tsx', str(tool), str(folder)], cwd=ROOT, check=True)
    weights = folder / 'threenet_mini.safetensors'
    sample = json.loads((folder / 'threenet_mini.json').read_text())
    state = load_file(weights)
    print(f'{weights}: ' + ', '.join(f'{k} {list(v.shape)} {v.dtype}' for k, v in state.items()))
    model = NNModule()
    print('load_state_dict(strict=True):', model.load_state_dict(state, strict=True))
    with torch.no_grad():
        ours = model(torch.tensor(sample['input'], dtype=torch.float32))
    theirs = torch.tensor(sample['logProbs'], dtype=torch.float32)
    error = ((ours - theirs).abs().max() / theirs.abs().max()).item()
    same = torch.equal(ours.argmax(1), theirs.argmax(1))
    print(f'mini on {sample["device"]} vs torch {torch.__version__}: relative error {error:.2e} (tolerance {TOLERANCE}), same predicted classes: {same}')
    if not (error <= TOLERANCE and same):
        sys.exit(1)
    print('OK: the file saved by mini loads in PyTorch and gives the same predictions')


if __name__ == '__main__':
    main()
