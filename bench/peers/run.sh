#!/usr/bin/env bash
# PyTorch peer measurements for nabla's Go benchmarks.
# Needs Debian's python3-torch:  apt-get install -y python3-torch
# Every variant runs in its own process; each prints one JSON line.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PY:-/usr/bin/python3}   # Debian's python, not a pyenv one on PATH

if ! "$PY" -c 'import torch' 2>/dev/null; then
  echo "run.sh: $PY cannot import torch; apt-get install -y python3-torch" >&2
  exit 1
fi

for threads in 1 2; do
  for consts in float tensor; do
    "$PY" torch_scalar_chain.py --threads "$threads" --consts "$consts"
  done
done
for threads in 1 2; do
  for malloc in retain default; do
    "$PY" torch_rosenbrock.py --threads "$threads" --malloc "$malloc"
  done
done
for threads in 1 2; do
  "$PY" torch_adam_step.py --threads "$threads"
done
