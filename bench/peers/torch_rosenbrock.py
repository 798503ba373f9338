#!/usr/bin/python3
"""PyTorch peer: extended Rosenbrock, value vs value+gradient.

f(x) = sum_{i<n-1} 100*(x[i+1] - x[i]^2)^2 + (1 - x[i])^2, float64,
n = 10^6, x = (-1.2, 1, -1.2, 1, ...).

value       f(x) under torch.no_grad()
value+grad  f(x) with x.requires_grad, then f.backward(); x.grad is set to
            None before each iteration so every rep allocates a fresh grad
Each figure is the best single call over at least --reps calls and --min-time
seconds, after --warmup untimed calls.

--malloc default  glibc malloc as it comes. The ~10 saved 8 MB tensors of a
                  value+grad pass are often given back to the kernel (mmap /
                  heap trim) and faulted in again on the next pass; page
                  faults are slow on this VM, so this mode is noisy and
                  sometimes several times slower for value+grad.
--malloc retain   mallopt(M_MMAP_MAX=0, M_TRIM_THRESHOLD=INT_MAX) at start:
                  freed memory stays in the process and is reused, i.e. the
                  steady state a caching allocator (or Go's heap) would give.
"""
import argparse
import ctypes
import ctypes.util
import json
import math
import time

import torch


def rosenbrock(x):
    x0 = x[:-1]
    x1 = x[1:]
    return (100.0 * (x1 - x0 ** 2) ** 2 + (1.0 - x0) ** 2).sum()


def start(n):
    x = torch.ones(n, dtype=torch.float64)
    x[0::2] = -1.2
    return x


def analytic_grad(x):
    g = torch.zeros_like(x)
    x0, x1 = x[:-1], x[1:]
    t = x1 - x0 * x0
    g[:-1] += -400.0 * x0 * t - 2.0 * (1.0 - x0)
    g[1:] += 200.0 * t
    return g


def check(n):
    x = start(n).requires_grad_(True)
    f = rosenbrock(x)
    f.backward()
    xd = x.detach()
    # value at the start: 24.2 per even-i term, 484 per odd-i term
    want_f = 24.2 * ((n - 1 + 1) // 2) + 484.0 * ((n - 1) // 2)
    assert math.isclose(f.item(), want_f, rel_tol=1e-12), (n, f.item(), want_f)
    assert torch.allclose(x.grad, analytic_grad(xd), rtol=1e-12, atol=0), n
    return f.item(), x.grad


def malloc_retain():
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    M_TRIM_THRESHOLD, M_MMAP_MAX = -1, -4
    ok = libc.mallopt(M_MMAP_MAX, 0) and libc.mallopt(M_TRIM_THRESHOLD, 2**31 - 1)
    if not ok:
        raise SystemExit("mallopt failed")


def best_of(fn, warmup, reps, min_time):
    """Best single-call time over at least reps calls and min_time seconds."""
    for _ in range(warmup):
        fn()
    best = float("inf")
    done, start_t = 0, time.perf_counter()
    while done < reps or time.perf_counter() - start_t < min_time:
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
        done += 1
    return best


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--min-time", type=float, default=1.0,
                   help="keep repeating for at least this many seconds")
    p.add_argument("--malloc", choices=("default", "retain"), default="default")
    args = p.parse_args()
    if args.malloc == "retain":
        malloc_retain()
    torch.set_num_threads(args.threads)

    # n=2: grad at (-1.2, 1) must be (-215.6, -88).
    _, g2 = check(2)
    assert torch.allclose(g2, torch.tensor([-215.6, -88.0], dtype=torch.float64),
                          rtol=1e-12, atol=0), g2
    check(1001)
    check(args.n)

    x = start(args.n)

    def value():
        with torch.no_grad():
            return rosenbrock(x).item()

    xg = x.clone().requires_grad_(True)

    def value_grad():
        xg.grad = None
        f = rosenbrock(xg)
        f.backward()
        return f.item()

    tv = best_of(value, args.warmup, args.reps, args.min_time)
    tvg = best_of(value_grad, args.warmup, args.reps, args.min_time)
    print(json.dumps({
        "bench": "rosenbrock",
        "n": args.n,
        "threads": torch.get_num_threads(),
        "malloc": args.malloc,
        "value_s": float(f"{tv:.6g}"),
        "value_grad_s": float(f"{tvg:.6g}"),
        "ratio": round(tvg / tv, 3),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
