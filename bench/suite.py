#!/usr/bin/python3
"""nabla's speed suite: nabla's Go benchmarks and their peers, measured in
one run on this machine, printed as a table of ratios and written as JSON.

    bench/run                      # everything but Fashion-MNIST (~5 min)
    bench/run --fashion            # plus 10 epochs of Fashion-MNIST (~3 more min)
    bench/run --only mlp,chain     # some sections: gemm, mlp, chain, rosenbrock, fashion

Sections (the speed issue's list):
  gemm        SGEMM/DGEMM GFLOP/s, n = 128 … 2048, nabla vs gonum (go test) and
              vs OpenBLAS (bench/openblas, cgo; needs libopenblas-dev)
  mlp         one training step of an MLP 784-128-10 (ReLU, softmax
              cross-entropy, SGD) in an autodiff.Arena, float32/float64, batch
              64/256, vs PyTorch with 1 and 2 threads (the faster counts) and
              vs Gorgonia (bench/gorgonia)
  chain       10,000 scalar ops forward + backward, vs PyTorch
  rosenbrock  value and gradient of extended Rosenbrock, n = 10⁶, vs PyTorch
  fashion     seconds per epoch and test accuracy after 10 epochs of the
              784-128-10 MLP on Fashion-MNIST, vs PyTorch (same optimiser and
              batch size; 1 and 2 threads, the faster counts)

Go figures are the best of --count runs of `go test -bench`; PyTorch runs in
its own processes (/usr/bin/python3, Debian's python3-torch). The machine is
shared and noisy: only ratios from one run mean anything.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = os.environ.get("PY", "/usr/bin/python3")


def sh(args, env=None, cwd=ROOT):
    """Runs a command and returns its stdout; stderr passes through."""
    e = dict(os.environ, **(env or {}))
    return subprocess.run(args, cwd=cwd, env=e, check=True, stdout=subprocess.PIPE, text=True).stdout


def go_bench(pkg, pattern, count, benchtime=None):
    """Best value of each metric of each benchmark matching pattern."""
    args = ["go", "test", pkg, "-run", "^$", "-bench", pattern, "-count", str(count)]
    if benchtime:
        args += ["-benchtime", benchtime]
    best = {}
    for line in sh(args).splitlines():
        f = line.split()
        if not f or not f[0].startswith("Benchmark"):
            continue
        name = re.sub(r"-\d+$", "", f[0])
        m = best.setdefault(name, {})
        for i in range(2, len(f) - 1):
            try:
                v = float(f[i])
            except ValueError:
                continue
            unit = f[i + 1]
            better = max if unit.startswith("GFLOP") else min
            m[unit] = better(m[unit], v) if unit in m else v
    return best


def torch_ok():
    return subprocess.run([PY, "-c", "import torch"], capture_output=True).returncode == 0


def peer(script, *args):
    """The JSON lines a peer script prints."""
    out = sh([PY, os.path.join(ROOT, "bench", "peers", script), *map(str, args)])
    return [json.loads(l) for l in out.splitlines() if l.startswith("{")]


class Table:
    def __init__(self):
        self.rows = []

    def add(self, section, what, nabla, peer_name, peer_value, unit, ratio, target=None, met=None):
        self.rows.append(dict(section=section, benchmark=what, nabla=nabla, peer=peer_name, peer_value=peer_value,
                              unit=unit, ratio=ratio, target=target, met=met))

    def print(self):
        w = max((len(r["benchmark"]) for r in self.rows), default=10)
        print(f"{'benchmark':<{w}}  {'nabla':>10}  {'peer':>22}  {'ratio':>8}  target")
        for r in self.rows:
            p = "" if r["peer_value"] is None else f"{r['peer']} {r['peer_value']:.4g}"
            ratio = "" if r["ratio"] is None else f"{r['ratio']:.3g}"
            tgt = r["target"] or ""
            if r["met"] is not None:
                tgt += " ✓" if r["met"] else " ✗"
            print(f"{r['benchmark']:<{w}}  {r['nabla']:>10.4g}  {p:>22}  {ratio:>8}  {tgt}")


def gemm(t, count):
    """OpenBLAS vs nabla vs gonum through bench/openblas (cgo), with
    OpenBLAS's default core and SkylakeX, on 1 and 2 threads; without
    OpenBLAS's headers, nabla vs gonum through go test."""
    script = os.path.join(ROOT, "bench", "openblas", "run.sh")
    have_cblas = any(os.path.exists(h) for h in ("/usr/include/cblas.h", "/usr/include/x86_64-linux-gnu/cblas.h",
                                                  "/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h"))
    if not have_cblas:
        print("gemm: OpenBLAS comparison skipped (apt-get install libopenblas-dev)", file=sys.stderr)
        for name, m in sorted(go_bench("./internal/gemm", "Sgemm|Dgemm", count).items()):
            if "GFLOP/s" in m:
                t.add("gemm", name.removeprefix("Benchmark") + " (GFLOP/s)", m["GFLOP/s"], None, None, "GFLOP/s", None)
        return
    for line in sh([script, "-json", "-rounds", "5"]).splitlines():
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        what = f"{r['precision']} {r['shape']}, {r['threads']} thr, OpenBLAS {r['openblas']} (GFLOP/s)"
        target = "≥ 1.0× at n ≥ 512" if r["precision"] == "float32" and r["n"] >= 512 else None
        met = r["ratio_openblas"] >= 1.0 if target else None
        t.add("gemm", what, r["nabla_gflops"], "OpenBLAS", r["openblas_gflops"], "GFLOP/s", r["ratio_openblas"], target, met)
        t.rows[-1]["gonum_gflops"] = r["gonum_gflops"]


def mlp(t, count, have_torch):
    res = go_bench("./train", "TrainStepMLP784/.*/.*/arena", count, benchtime="200x")
    for dtype in ("float32", "float64"):
        for batch in (64, 256):
            m = res.get(f"BenchmarkTrainStepMLP784/{dtype}/batch{batch}/arena")
            if not m:
                continue
            ms = m["ns/op"] / 1e6
            tms = None
            if have_torch:
                tms = min(peer("torch_mlp_step.py", "--threads", th, "--dtype", dtype, "--batch", batch)[0]["ms"]
                          for th in (1, 2))
            ratio = ms / tms if tms else None
            target = "≤ 0.8× PyTorch" if (dtype, batch) == ("float32", 64) else None
            met = (ratio <= 0.8) if (target and ratio) else None
            t.add("mlp", f"MLP step {dtype} batch {batch} (ms; {m.get('allocs/op', '?'):.0f} allocs)", ms,
                  "PyTorch", tms, "ms", ratio, target, met)
            gms = gorgonia_step(dtype, batch)
            if gms:
                t.add("mlp", f"MLP step {dtype} batch {batch} vs Gorgonia (ms)", ms, "Gorgonia", gms, "ms", ms / gms)


def gorgonia_step(dtype, batch):
    """Gorgonia's median step time (bench/gorgonia, a module of its own), or
    None if it cannot be built (its modules are not in the proxy's cache)."""
    # Gorgonia imports go4.org/unsafe/assume-no-moving-gc, which refuses to
    # run on a Go release newer than it knows unless told to (go1.26).
    release = ".".join(sh(["go", "env", "GOVERSION"]).strip().split(".")[:2])
    env = {"ASSUME_NO_MOVING_GC_UNSAFE_RISK_IT_WITH": release}
    try:
        out = sh(["go", "run", ".", "-batch", str(batch), "-dtype", dtype], env=env, cwd=os.path.join(ROOT, "bench", "gorgonia"))
    except subprocess.CalledProcessError as e:
        print(f"mlp: Gorgonia skipped ({e})", file=sys.stderr)
        return None
    return json.loads(out.strip().splitlines()[-1])["ms"]


def chain(t, count, have_torch):
    res = go_bench("./autodiff", "ScalarChain$|ScalarChainArena$", count)
    tns = None
    if have_torch:
        tns = min(peer("torch_scalar_chain.py", "--threads", th, "--consts", "tensor")[0]["ns_per_op"] for th in (1, 2))
    # Targets: ≥ 20× PyTorch per op (the speed issue), and ≤ 100 ns/op in an
    # Arena (the core engine's issue).
    for name, label, cap in (("BenchmarkScalarChainArena", "scalar chain, Arena (ns/op)", 100),
                             ("BenchmarkScalarChain", "scalar chain, fresh memory (ns/op)", None)):
        if name in res:
            ns = res[name]["ns/chain-op"]
            speedup = tns / ns if tns else None
            met = (cap is None or ns <= cap) and (speedup is None or speedup >= 20)
            target = f"≤ {cap} ns, ≥ 20×" if cap else "≥ 20×"
            t.add("chain", label + " — ratio: PyTorch/nabla", ns, "PyTorch", tns, "ns/op", speedup, target, met)


def rosenbrock(t, count, have_torch):
    res = go_bench("./autodiff", "RosenbrockValue$|RosenbrockValueAndGrad$|RosenbrockValueAndGradArena$", count)
    v, g = res["BenchmarkRosenbrockValue"]["ns/op"] / 1e6, res["BenchmarkRosenbrockValueAndGrad"]["ns/op"] / 1e6
    ga = res["BenchmarkRosenbrockValueAndGradArena"]["ns/op"] / 1e6
    tg = None
    if have_torch:
        tg = min(peer("torch_rosenbrock.py", "--threads", th, "--malloc", "retain")[0]["value_grad_s"] for th in (1, 2)) * 1e3
    t.add("rosenbrock", "Rosenbrock n=1e6 value+grad (ms)", g, "PyTorch", tg, "ms", g / tg if tg else None)
    t.add("rosenbrock", "Rosenbrock n=1e6 value+grad, Arena (ms)", ga, "PyTorch", tg, "ms", ga / tg if tg else None)
    t.add("rosenbrock", "Rosenbrock n=1e6 value+grad / value", g / v, None, None, "", None, "≤ 4", g / v <= 4)


def fashion(t, have_torch):
    if not os.path.exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"):
        print("fashion: skipped (apt-get install dataset-fashion-mnist)", file=sys.stderr)
        return
    tmp = tempfile.mkdtemp()
    try:
        binary = os.path.join(tmp, "nabla")
        sh(["go", "build", "-o", binary, "./cmd/nabla"])
        out = json.loads(sh([binary, "train", "--data", "builtin:fashion-mnist", "--test", "builtin:fashion-mnist-test",
                             "--model", "mlp", "--hidden", "128", "--optimizer", "adam", "--lr", "0.001",
                             "--batch", "64", "--epochs", "10", "--json"]))
        sec = out["train_seconds"] / out["epochs_run"]
        acc = out["test"]["accuracy"]
        tsec = tacc = None
        if have_torch:
            # PyTorch with 1 thread for 10 epochs (time and accuracy), and with
            # 2 for one epoch (on this model two threads have run many times
            # slower): the faster epoch counts.
            for th, epochs in (("1", 10), ("2", 1)):
                js = os.path.join(tmp, "tc.json")
                sh([PY, os.path.join(ROOT, "bench", "peers", "train_compare.py"), "--only", "fashion", "--fashion",
                    "--fashion-epochs", str(epochs), "--threads", th, "--peers", "torch", "--json-out", js],
                   env={"OMP_NUM_THREADS": th, "OPENBLAS_NUM_THREADS": th})
                row = json.load(open(js))["rows"][0]
                sec_th = row["torch"]["seconds"]["mean"] / epochs
                print(f"fashion: PyTorch with {th} thread(s): {sec_th:.3f} s per epoch", file=sys.stderr)
                if epochs == 10:
                    tacc = row["torch"]["metric"]["mean"]
                tsec = sec_th if tsec is None else min(tsec, sec_th)
        t.add("fashion", "Fashion-MNIST MLP: seconds per epoch", sec, "PyTorch", tsec, "s", sec / tsec if tsec else None,
              "< 1", sec < tsec if tsec else None)
        t.add("fashion", "Fashion-MNIST MLP: test accuracy after 10 epochs", acc, "PyTorch", tacc, "", None,
              "±0.005", abs(acc - tacc) <= 0.005 if tacc is not None else None)
    finally:
        shutil.rmtree(tmp)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=3, help="go test -count (the best run counts)")
    ap.add_argument("--only", default="gemm,mlp,chain,rosenbrock", help="sections, comma-separated")
    ap.add_argument("--fashion", action="store_true", help="add the Fashion-MNIST section")
    ap.add_argument("--json", default=os.path.join(ROOT, "bench", "results.json"), help="write the results here")
    a = ap.parse_args()
    sections = set(a.only.split(","))
    if a.fashion:
        sections.add("fashion")
    have_torch = torch_ok()
    if not have_torch:
        print(f"PyTorch peers skipped: {PY} cannot import torch (apt-get install python3-torch)", file=sys.stderr)
    t = Table()
    if "gemm" in sections:
        gemm(t, a.count)
    if "mlp" in sections:
        mlp(t, a.count, have_torch)
    if "chain" in sections:
        chain(t, a.count, have_torch)
    if "rosenbrock" in sections:
        rosenbrock(t, a.count, have_torch)
    if "fashion" in sections:
        fashion(t, have_torch)
    machine = sh(["sh", "-c", "lscpu | sed -n 's/^Model name: *//p'"]).strip()
    print(f"nabla speed suite, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs ({machine}), {sh(['go', 'version']).strip()}")
    print("ratio: nabla/peer time (lower is better); for GFLOP/s and where the row says so, peer time/nabla (higher is better)")
    t.print()
    doc = dict(date=time.strftime("%Y-%m-%d"), cpus=os.cpu_count(), machine=machine, rows=t.rows)
    d = os.path.dirname(os.path.abspath(a.json))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".results.")
    with os.fdopen(fd, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(tmp, a.json)
    print(f"written to {a.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
