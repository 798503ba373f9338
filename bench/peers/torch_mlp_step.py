#!/usr/bin/python3
"""PyTorch peer: one training step of an MLP 784-128-10.

The step is the one nabla's BenchmarkTrainStepMLP784 times: zero the
gradients, forward (Linear 784→128, ReLU, Linear 128→10), softmax
cross-entropy against integer labels, backward, and a plain SGD step
(lr 0.01), on a fixed batch of standard normal inputs. The figure is the
median of --reps timed steps after --warmup untimed ones, in milliseconds.
Each run prints one JSON line.
"""
import argparse
import json
import statistics
import time

import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--reps", type=int, default=300)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    dtype = getattr(torch, a.dtype)
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)).to(dtype)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.randn(a.batch, 784, dtype=dtype)
    y = torch.arange(a.batch) % 10

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    print(json.dumps(dict(bench="mlp_step", dtype=a.dtype, batch=a.batch, threads=a.threads,
                          ms=statistics.median(times) * 1e3, best_ms=min(times) * 1e3,
                          torch=torch.__version__)))


if __name__ == "__main__":
    main()
