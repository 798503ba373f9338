#!/usr/bin/python3
"""PyTorch peer: a long chain of scalar ops on 0-d float64 tensors.

The chain is 10,000 ops, cycling v = v*a, v = v+b, v = tanh(v), starting
from a leaf x = 0.5 with requires_grad=True, a = 0.9, b = 0.1. The timed
region is the forward build of the graph plus v.backward(); the figure is
the best repetition (at least --reps of them and --min-time seconds, after
--warmup untimed ones) divided by the number of ops.

--consts float   a and b are Python floats (default)
--consts tensor  a and b are 0-d float64 tensors that do not require grad
"""
import argparse
import json
import math
import time

import torch


def chain(x, a, b, ops):
    v = x
    for i in range(ops):
        k = i % 3
        if k == 0:
            v = v * a
        elif k == 1:
            v = v + b
        else:
            v = torch.tanh(v)
    return v


def reference(ops, x=0.5, a=0.9, b=0.1):
    """Plain-Python value and dv/dx, to check torch's result."""
    v, d = x, 1.0
    for i in range(ops):
        k = i % 3
        if k == 0:
            v, d = v * a, d * a
        elif k == 1:
            v = v + b
        else:
            v = math.tanh(v)
            d = d * (1.0 - v * v)
    return v, d


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--ops", type=int, default=10_000)
    p.add_argument("--consts", choices=("float", "tensor"), default="float")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--reps", type=int, default=15)
    p.add_argument("--min-time", type=float, default=1.0,
                   help="keep repeating for at least this many seconds")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    if args.consts == "float":
        a, b = 0.9, 0.1
    else:
        a = torch.tensor(0.9, dtype=torch.float64)
        b = torch.tensor(0.1, dtype=torch.float64)

    def once():
        x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
        v = chain(x, a, b, args.ops)
        v.backward()
        return x, v

    # Correctness check against a plain-Python forward/derivative. For the
    # full 10,000-op chain dv/dx underflows to a subnormal (~5e-324), so the
    # derivative is checked tightly on a short chain (30 ops, dv/dx ~ 0.0193)
    # and only the value is checked on the full one.
    for ops in (30, args.ops):
        x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
        v = chain(x, a, b, ops)
        v.backward()
        rv, rd = reference(ops)
        assert math.isclose(v.item(), rv, rel_tol=1e-12), (ops, v.item(), rv)
        if ops == 30:
            assert math.isclose(x.grad.item(), rd, rel_tol=1e-12), (x.grad.item(), rd)

    for _ in range(args.warmup):
        once()
    best = float("inf")
    done, start_t = 0, time.perf_counter()
    while done < args.reps or time.perf_counter() - start_t < args.min_time:
        t0 = time.perf_counter_ns()
        once()
        best = min(best, time.perf_counter_ns() - t0)
        done += 1

    print(json.dumps({
        "bench": "scalar_chain",
        "ops": args.ops,
        "threads": torch.get_num_threads(),
        "consts": args.consts,
        "ns_per_op": round(best / args.ops, 1),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
