#!/usr/bin/python3
"""PyTorch peer: one torch.optim.Adam step, for nabla's BenchmarkStep/Adam.

The parameters are those of BenchmarkStep: one tensor of 10^6 elements
(n=1000000), or the four tensors of the MLP 784-128-10 (n=101770), with a
fixed standard normal gradient; Adam has torch's defaults (lr 1e-3, betas
(0.9, 0.999), eps 1e-8). Each variant (dtype, size, foreach False/True)
takes --warmup untimed steps and then --reps timed ones; the figure is the
median step, reported in ns per parameter. Each variant prints one JSON line.
"""
import argparse
import json
import statistics
import time

import torch

SHAPES = {
    "n=1000000": [(1_000_000,)],
    "n=101770": [(784, 128), (128,), (128, 10), (10,)],
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--reps", type=int, default=200)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    for dtype in ("float32", "float64"):
        for size, shapes in SHAPES.items():
            for foreach in (False, True):
                params = [torch.randn(s, dtype=getattr(torch, dtype), requires_grad=True) for s in shapes]
                for q in params:
                    q.grad = torch.randn_like(q)
                n = sum(q.numel() for q in params)
                assert n == int(size[2:])
                opt = torch.optim.Adam(params, foreach=foreach)
                for _ in range(a.warmup):
                    opt.step()
                times = []
                for _ in range(a.reps):
                    t0 = time.perf_counter_ns()
                    opt.step()
                    times.append(time.perf_counter_ns() - t0)
                med = statistics.median(times)
                print(json.dumps({"bench": "torch.optim.Adam.step", "torch": torch.__version__, "threads": a.threads,
                                  "dtype": dtype, "size": size, "foreach": foreach,
                                  "ms": med / 1e6, "ns_per_param": med / n}), flush=True)


if __name__ == "__main__":
    main()
