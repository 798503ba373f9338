#!/usr/bin/python3
"""Train nabla, scikit-learn and PyTorch on the same train/test rows and
compare the test metric and the training time.

Run it through bench/train_compare.sh, which builds nabla and writes the
split files; by hand:

    go build -o /tmp/nabla ./cmd/nabla
    go run ./bench/splits -seed 0 -o /tmp/splits-0.json
    /usr/bin/python3 bench/peers/train_compare.py --nabla /tmp/nabla \
        --splits /tmp/splits-0.json --json-out /tmp/compare.json

The rows come from `go run ./bench/splits`, which splits exactly as
`nabla train` does without --test (data.SplitAuto, 20% test, stratified for
classification). Features are standardised with a StandardScaler fitted on
the training rows, as nabla's --scale standard does; for regression the
target is standardised too (as nabla does) for PyTorch, while
LinearRegression needs no target scaling (it is closed-form least squares).

Peers:
  sklearn  the usual estimator with its usual solver: LogisticRegression
           (lbfgs, its default L2 penalty C=1; multinomial for >2 classes),
           MLPClassifier (same width, ReLU, Adam, lr, batch, epochs, no L2,
           no early stopping), LinearRegression (closed form).
  torch    the same model as nabla (nn.Linear default init, float64), loss,
           Adam with the same lr, epochs and batch size, batches reshuffled
           every epoch, no penalty: the like-for-like peer.

Times: nabla's train_seconds (train.Fit alone, from `nabla train --json`),
sklearn's estimator.fit, torch's training loop. Scaling and loading are
outside every timer. Torch runs with torch.set_num_threads(--threads).
"""

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import torch
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, r2_score
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# The tasks of the issue. model is nabla's --model; the hyperparameters are
# nabla train's defaults (Adam, lr 0.01, 100 epochs, batch 32) unless given.
TASKS = [
    # iris has 3 classes and nabla's logreg is binary: softmax regression.
    dict(name="iris softmax", data="iris", model="softmax"),
    dict(name="breast_cancer logreg", data="breast_cancer", model="logreg"),
    dict(name="wine softmax", data="wine", model="softmax"),
    dict(name="digits softmax", data="digits", model="softmax"),
    dict(name="digits mlp64", data="digits", model="mlp", hidden=64),
    dict(name="diabetes linreg", data="diabetes", model="linreg"),
]
# Fashion-MNIST trains on the 60k training file and tests on the official 10k
# test file (nabla train --test builtin:fashion-mnist-test), not on a split.
FASHION = dict(name="fashion-mnist mlp128", data="fashion-mnist", test="fashion-mnist-test", model="mlp",
               hidden=128, lr=0.001, batch=64, epochs=10)
PEERS = ("nabla", "sklearn", "torch")
DEFAULTS = dict(lr=0.01, epochs=100, batch=32)


def load_csv(name):
    """The data rows of data/builtin/NAME.csv and the 'target' column."""
    path = os.path.join(ROOT, "data", "builtin", name + ".csv")
    with open(path) as f:
        header = f.readline().strip().split(",")
    a = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    t = header.index("target")
    return np.delete(a, t, axis=1), a[:, t]


def load_idx(images, labels):
    with gzip.open(images) as f:
        b = f.read()
    n, rows, cols = (int.from_bytes(b[i:i + 4], "big") for i in (4, 8, 12))
    x = np.frombuffer(b, dtype=np.uint8, offset=16).reshape(n, rows * cols).astype(np.float64)
    with gzip.open(labels) as f:
        y = np.frombuffer(f.read(), dtype=np.uint8, offset=8).astype(np.float64)
    return x, y


def load(name, fashion_dir):
    if name == "fashion-mnist":
        return load_idx(os.path.join(fashion_dir, "train-images-idx3-ubyte.gz"),
                        os.path.join(fashion_dir, "train-labels-idx1-ubyte.gz"))
    if name == "fashion-mnist-test":
        return load_idx(os.path.join(fashion_dir, "t10k-images-idx3-ubyte.gz"),
                        os.path.join(fashion_dir, "t10k-labels-idx1-ubyte.gz"))
    return load_csv(name)


def run_nabla(binary, task, seed):
    args = [binary, "train", "--data", "builtin:" + task["data"], "--model", task["model"],
            "--optimizer", "adam", "--lr", str(task["lr"]), "--epochs", str(task["epochs"]),
            "--batch", str(task["batch"]), "--seed", str(seed), "--json"]
    if "hidden" in task:
        args += ["--hidden", str(task["hidden"]), "--activation", "relu"]
    if "test" in task:
        args += ["--test", "builtin:" + task["test"]]
    t0 = time.perf_counter()
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - t0
    d = json.loads(out)
    metric = d["test"]["r2"] if task["model"] == "linreg" else d["test"]["accuracy"]
    return dict(metric=metric, seconds=d["train_seconds"], process_seconds=wall,
                train_rows=d["train_rows"], test_rows=d["test_rows"])


def run_sklearn(task, xtr, ytr, xte, yte, seed):
    if task["model"] == "linreg":
        est = LinearRegression()
    elif task["model"] == "mlp":
        epochs = task["epochs"]
        est = MLPClassifier(hidden_layer_sizes=(task["hidden"],), activation="relu", solver="adam",
                            alpha=0.0, batch_size=task["batch"], learning_rate_init=task["lr"],
                            max_iter=epochs, shuffle=True, random_state=seed,
                            tol=0.0, n_iter_no_change=epochs + 1)
    else:
        est = LogisticRegression(max_iter=5000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLPClassifier warns that 100 epochs did not "converge"
        t0 = time.perf_counter()
        est.fit(xtr, ytr)
        seconds = time.perf_counter() - t0
    pred = est.predict(xte)
    metric = r2_score(yte, pred) if task["model"] == "linreg" else accuracy_score(yte, pred)
    return dict(metric=float(metric), seconds=seconds)


def run_torch(task, xtr, ytr, xte, yte, seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model_kind = task["model"]
    classes = np.unique(ytr)
    d = xtr.shape[1]
    if model_kind == "mlp":
        model = torch.nn.Sequential(torch.nn.Linear(d, task["hidden"]), torch.nn.ReLU(),
                                    torch.nn.Linear(task["hidden"], len(classes)))
    elif model_kind == "softmax":
        model = torch.nn.Linear(d, len(classes))
    else:  # logreg, linreg
        model = torch.nn.Linear(d, 1)
    x = torch.from_numpy(xtr)
    if model_kind == "linreg":
        mu, sd = ytr.mean(), ytr.std()
        y = torch.from_numpy((ytr - mu) / sd).unsqueeze(1)
        loss_fn = torch.nn.MSELoss()
    else:
        labels = np.searchsorted(classes, ytr)
        if model_kind == "logreg":
            y = torch.from_numpy(labels.astype(np.float64)).unsqueeze(1)
            loss_fn = torch.nn.BCEWithLogitsLoss()
        else:
            y = torch.from_numpy(labels)
            loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=task["lr"])
    n, b = len(x), task["batch"]
    t0 = time.perf_counter()
    for _ in range(task["epochs"]):
        perm = torch.randperm(n, generator=gen)
        for lo in range(0, n, b):
            idx = perm[lo:lo + b]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        out = model(torch.from_numpy(xte)).numpy()
    if model_kind == "linreg":
        metric = r2_score(yte, out[:, 0] * sd + mu)
    elif model_kind == "logreg":
        metric = accuracy_score(yte, classes[(out[:, 0] > 0).astype(int)])
    else:
        metric = accuracy_score(yte, classes[out.argmax(axis=1)])
    return dict(metric=float(metric), seconds=seconds)


def summarise(values):
    v = np.array(values, dtype=float)
    return dict(mean=float(v.mean()), min=float(v.min()), max=float(v.max()), runs=[float(a) for a in v])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nabla", default="", help="the nabla binary (needed when --peers has nabla)")
    ap.add_argument("--splits", nargs="*", default=[],
                    help="split files from go run ./bench/splits, one per seed (none: seed 0, for tasks with a test file)")
    ap.add_argument("--only", default="", help="run only the tasks whose name contains this")
    ap.add_argument("--fashion", action="store_true", help="add the Fashion-MNIST MLP (minutes)")
    ap.add_argument("--fashion-epochs", type=int, default=FASHION["epochs"])
    ap.add_argument("--fashion-dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    ap.add_argument("--peers", default="nabla,sklearn,torch",
                    help="which to run, comma-separated (default all; without nabla, splits are not cross-checked)")
    ap.add_argument("--json-out", default=os.environ.get("TRAIN_COMPARE_JSON", ""),
                    help="write the table as JSON here (default $TRAIN_COMPARE_JSON)")
    args = ap.parse_args()

    peers = args.peers.split(",")
    if not peers or any(p not in PEERS for p in peers):
        sys.exit(f"train_compare: --peers {args.peers!r}: choose from {','.join(PEERS)}")
    if "nabla" in peers and not args.nabla:
        sys.exit("train_compare: --nabla BINARY is needed to run nabla (or leave it out of --peers)")
    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float64)
    splits = []
    for path in args.splits:
        with open(path) as f:
            splits.append(json.load(f))
    tasks = [dict(DEFAULTS, **t) for t in TASKS]
    if args.fashion:
        tasks.append(dict(DEFAULTS, **dict(FASHION, epochs=args.fashion_epochs)))
    tasks = [t for t in tasks if args.only in t["name"]]
    if not splits:
        if any("test" not in t for t in tasks):
            sys.exit("train_compare: --splits is needed for tasks split from one file")
        splits = [dict(seed=0, splits={})]

    rows = []
    cache = {}
    for task in tasks:
        spec = "builtin:" + task["data"]
        if task["data"] not in cache:
            cache[task["data"]] = load(task["data"], args.fashion_dir)
        x, y = cache[task["data"]]
        runs = {k: [] for k in PEERS if k in peers}
        for doc in splits:
            seed = doc["seed"]
            if "test" in task:  # a separate test file: train on every row
                if task["test"] not in cache:
                    cache[task["test"]] = load(task["test"], args.fashion_dir)
                xt, yt = cache[task["test"]]
                tr, te = np.arange(len(x)), np.arange(len(x), len(x) + len(xt))
                x_all, y_all = np.concatenate([x, xt]), np.concatenate([y, yt])
            else:
                sp = doc["splits"].get(spec)
                if sp is None:
                    sys.exit(f"train_compare: {spec} is not in the split file of seed {seed}")
                if sp["rows"] != len(x):
                    sys.exit(f"train_compare: {spec} has {len(x)} rows here but {sp['rows']} in nabla")
                tr, te = np.array(sp["train"]), np.array(sp["test"])
                x_all, y_all = x, y
            scaler = StandardScaler().fit(x_all[tr])
            xtr, xte = scaler.transform(x_all[tr]), scaler.transform(x_all[te])
            if "nabla" in runs:
                r = run_nabla(args.nabla, task, seed)
                if (r["train_rows"], r["test_rows"]) != (len(tr), len(te)):
                    sys.exit(f"train_compare: {spec}: nabla split {r['train_rows']}/{r['test_rows']}, file {len(tr)}/{len(te)}")
                runs["nabla"].append(r)
            if "sklearn" in runs:
                runs["sklearn"].append(run_sklearn(task, xtr, y_all[tr], xte, y_all[te], seed))
            if "torch" in runs:
                runs["torch"].append(run_torch(task, xtr, y_all[tr], xte, y_all[te], seed))
            print(f"  {task['name']} seed {seed}: " + ", ".join(
                f"{k} {v[-1]['metric']:.4f} in {v[-1]['seconds']:.2f}s" for k, v in runs.items()),
                file=sys.stderr, flush=True)
        row = dict(task=task["name"], metric="r2" if task["model"] == "linreg" else "accuracy",
                   settings={k: task[k] for k in ("model", "lr", "epochs", "batch") + (("hidden",) if "hidden" in task else ())},
                   train_rows=len(tr), test_rows=len(te),
                   seeds=[d["seed"] for d in splits])
        for k, v in runs.items():
            row[k] = dict(metric=summarise([r["metric"] for r in v]), seconds=summarise([r["seconds"] for r in v]))
        if "nabla" in row:
            row["nabla"]["process_seconds"] = summarise([r["process_seconds"] for r in runs["nabla"]])
        rows.append(row)

    print_table(rows)
    if args.json_out:
        doc = dict(date=time.strftime("%Y-%m-%d"), torch=torch.__version__, threads=args.threads,
                   numpy=np.__version__, sklearn=__import__("sklearn").__version__, cpus=os.cpu_count(),
                   openblas_threads=os.environ.get("OPENBLAS_NUM_THREADS", ""),
                   rows=rows)
        d = os.path.dirname(os.path.abspath(args.json_out))
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".train_compare.")
        with os.fdopen(fd, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        os.replace(tmp, args.json_out)


def print_table(rows):
    seeds = rows[0]["seeds"] if rows else []
    print(f"test metric: mean over seeds {seeds} [min–max]; seconds: mean training time")
    peers = [k for k in PEERS if rows and k in rows[0]]
    print("| task | metric | " + " | ".join(f"{k} | s" for k in peers) + " |")
    print("|" + " --- |" * (2 + 2 * len(peers)))
    for r in rows:
        cells = [r["task"], r["metric"]]
        for k in peers:
            m, s = r[k]["metric"], r[k]["seconds"]
            if len(m["runs"]) > 1:
                cells.append(f"{m['mean']:.3f} [{m['min']:.3f}–{m['max']:.3f}]")
            else:
                cells.append(f"{m['mean']:.3f}")
            cells.append(f"{s['mean']:.2f}")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
