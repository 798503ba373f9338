#!/usr/bin/env bash
# Trains nabla, scikit-learn and PyTorch on the same train/test rows for the
# tasks of issue 5 and prints one table: test metric and training seconds.
#
#   bench/train_compare.sh                 # the six small tasks, 5 seeds, ~1 minute
#   FASHION=1 bench/train_compare.sh       # plus an MLP on Fashion-MNIST (minutes)
#
# Environment: SEEDS (default "0 1 2 3 4"), FASHION=1, FASHION_EPOCHS (10),
# THREADS (1: torch.set_num_threads, and OpenBLAS/OpenMP threads for numpy,
# which sklearn uses; nabla's kernels are serial, so all three run on one
# core), TRAIN_COMPARE_JSON (write the table as JSON there),
# PY (default /usr/bin/python3: Debian's, with python3-torch and python3-sklearn).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-/usr/bin/python3}
SEEDS=${SEEDS:-0 1 2 3 4}
THREADS=${THREADS:-1}
CPUS=$(nproc)   # before OMP_NUM_THREADS, which nproc obeys
export OPENBLAS_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS

if ! "$PY" -c 'import torch, sklearn' 2>/dev/null; then
  echo "train_compare.sh: $PY cannot import torch and sklearn; apt-get install -y python3-torch python3-sklearn" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/nabla" ./cmd/nabla

specs=builtin:iris,builtin:breast_cancer,builtin:wine,builtin:digits,builtin:diabetes
extra=()
if [[ "${FASHION:-}" == 1 ]]; then
  extra+=(--fashion --fashion-epochs "${FASHION_EPOCHS:-10}")
fi
files=()
for seed in $SEEDS; do
  go run ./bench/splits -data "$specs" -seed "$seed" -o "$tmp/splits-$seed.json"
  files+=("$tmp/splits-$seed.json")
done

echo "machine: $CPUS CPUs, $(lscpu | sed -n 's/^Model name: *//p'); $(go version)" >&2
"$PY" bench/peers/train_compare.py --nabla "$tmp/nabla" --splits "${files[@]}" \
  --threads "$THREADS" ${TRAIN_COMPARE_JSON:+--json-out "$TRAIN_COMPARE_JSON"} "${extra[@]}"
