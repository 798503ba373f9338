#!/usr/bin/env bash
# Times nabla's SGEMM/DGEMM against OpenBLAS and gonum with OpenBLAS's default
# kernel choice and with OPENBLAS_CORETYPE=SkylakeX (its AVX-512 kernels),
# on 1 and 2 threads. Needs cgo and libopenblas-dev.
set -euo pipefail
cd "$(dirname "$0")"
go build -o /tmp/nabla-openblas-bench .
for core in "" SkylakeX; do
  for threads in 1 2; do
    [[ " $* " == *" -json "* ]] || echo "== OPENBLAS_CORETYPE=${core:-default} OPENBLAS_NUM_THREADS=$threads"
    if [ -n "$core" ]; then export OPENBLAS_CORETYPE=$core; else unset OPENBLAS_CORETYPE; fi
    OPENBLAS_NUM_THREADS=$threads /tmp/nabla-openblas-bench "$@"
    [[ " $* " == *" -json "* ]] || echo
  done
done
