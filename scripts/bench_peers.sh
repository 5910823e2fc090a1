#!/usr/bin/env bash
# Installs what `pnpm bench` compares against (as root, on Debian 12):
# - PyTorch CPU: Debian's python3-torch and python3-torchvision (1.13), with the pthread OpenBLAS
#   (without it torch falls back to the reference BLAS, 5.7 GFLOP/s); Fashion-MNIST from Debian's
#   dataset-fashion-mnist (/usr/share/datasets/fashion-mnist), which every peer and ours train on.
# - TensorFlow.js: @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm, pinned in bench/package.json
#   (tfjs-node cannot install here: it downloads a prebuilt library).
# A peer that is missing is skipped by the bench with a line saying so.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ]; then
  apt-get update
  apt-get install -y --no-install-recommends python3-torch python3-torchvision libopenblas0-pthread dataset-fashion-mnist
else
  echo "not root: skipping apt (python3-torch python3-torchvision libopenblas0-pthread dataset-fashion-mnist)" >&2
fi
pnpm install --filter @mini/bench...
/usr/bin/python3 -c 'import torch, torchvision; print("torch", torch.__version__, "torchvision", torchvision.__version__)'
(cd bench && node --input-type=module -e 'const tf = await import("@tensorflow/tfjs"); console.log("tfjs", tf.version.tfjs)')
