#!/usr/bin/env bash
# Runs nabla's headline benchmarks and the PyTorch peers in the same session
# and prints the ratios the core-engine issue asks for:
#   - scalar chain (10,000 ops of v·a, v+b, tanh v), forward + backward, ns/op;
#   - extended Rosenbrock n = 10⁶: time(value+grad) / time(value);
#   - finite-difference gradient / value for n = 100, 1000, 10000 (grows ~2n).
# Needs Go; the peers need Debian's torch (apt-get install python3-torch).
# The machine is shared and noisy: compare figures from one run only.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-/usr/bin/python3}
COUNT=${COUNT:-5}

echo "== nabla (go test -bench, best of $COUNT)"
go test ./autodiff ./numdiff -run '^$' -count "$COUNT" \
  -bench 'ScalarChain$|ScalarChainArena$|RosenbrockValue$|RosenbrockValueAndGrad$|RosenbrockFD' | tee /tmp/nabla-bench.txt |
  grep '^Benchmark' || true

best() { # best ns/op (or the named metric) of benchmark $1
  awk -v name="$1" -v unit="${2:-ns/op}" '$1 ~ "^"name"(-[0-9]+)?$" {
      for (i = 3; i < NF; i++) if ($(i+1) == unit && (min == "" || $i < min)) min = $i }
    END { print min }' /tmp/nabla-bench.txt
}

chain=$(best BenchmarkScalarChain ns/chain-op)
arena=$(best BenchmarkScalarChainArena ns/chain-op)
value=$(best BenchmarkRosenbrockValue)
grad=$(best BenchmarkRosenbrockValueAndGrad)

torch_chain=""
torch_ratio=""
if "$PY" -c 'import torch' 2>/dev/null; then
  echo "== PyTorch"
  for threads in 1 2; do
    "$PY" bench/peers/torch_scalar_chain.py --threads "$threads" --consts tensor
    "$PY" bench/peers/torch_rosenbrock.py --threads "$threads" --malloc retain
  done | tee /tmp/torch-bench.txt
  torch_chain=$("$PY" -c 'import json,sys; print(min(j["ns_per_op"] for j in map(json.loads, open("/tmp/torch-bench.txt")) if j["bench"]=="scalar_chain"))')
  torch_ratio=$("$PY" -c 'import json,sys; r=[j for j in map(json.loads, open("/tmp/torch-bench.txt")) if j["bench"]=="rosenbrock"]; b=min(r, key=lambda j: j["value_grad_s"]); print(b["ratio"])')
else
  echo "== PyTorch not importable with $PY: peers skipped"
fi

echo
echo "== summary"
for run in "fresh memory:$chain" "autodiff.Arena, memory reused:$arena"; do
  awk -v name="${run%%:*}" -v c="${run#*:}" -v tc="$torch_chain" 'BEGIN {
    printf "scalar chain, forward+backward, %s: nabla %.1f ns/op", name, c
    if (tc != "") printf ", PyTorch %.0f ns/op (best of 1 and 2 threads): PyTorch/nabla = %.1f", tc, tc / c
    printf "  [target ≤ 100]\n" }'
done
awk -v v="$value" -v g="$grad" -v tr="$torch_ratio" 'BEGIN {
  printf "Rosenbrock n=1e6: value %.2f ms, value+grad %.2f ms, ratio %.2f", v / 1e6, g / 1e6, g / v
  if (tr != "") printf " (PyTorch %s)", tr
  printf "  [target ≤ 4]\n" }'
for n in 100 1000 10000; do
  v=$(best "BenchmarkRosenbrockFD/value/n=$n")
  g=$(best "BenchmarkRosenbrockFD/gradient/n=$n")
  awk -v n="$n" -v v="$v" -v g="$g" 'BEGIN { printf "finite differences n=%d: gradient/value = %.0f\n", n, g / v }'
done
