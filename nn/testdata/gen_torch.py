#!/usr/bin/env python3
"""Reference values from PyTorch for the nn package (nn/torch_test.go).

Regenerate (from the repository root; PyTorch 1.13, e.g. Debian's python3-torch):

    /usr/bin/python3 nn/testdata/gen_torch.py > nn/testdata/torch_layers.json

Everything is float64 (torch.set_default_dtype(torch.float64)) and seeded, so
reruns print the same bytes. The JSON is committed; the Go test never needs
Python. Tensors are nested lists (row-major, shape implied by the nesting);
floats are printed with Python's repr, which round-trips exactly.

Top-level fields:

  torch        the torch version that produced the file
  linear       Linear(in → out) on a batch x of shape [N, in]
  activations  list of elementwise / softmax layers applied to x
  batchnorm    list of BatchNorm1d runs (training steps, then one eval forward)
  mlp          Linear(4→6) → BatchNorm1d(6) → Tanh → Linear(6→3), one training
               forward/backward, then one eval forward/backward
  losses       list of losses with their input and target
  l2_sgd       logistic regression trained by SGD with weight_decay (torch)

Layer cases use the scalar objective L = Σ(out ⊙ w) with a recorded random w
of out's shape, and record:

  state        parameters (and buffers) by state_dict name, before the forward
  x            the input
  w            the weights of the objective L
  out          the layer output
  grad_x       ∂L/∂x
  grads        ∂L/∂p for every parameter p, by state_dict name

Activation cases: name (Sigmoid, Tanh, ReLU, LeakyReLU, GELU, Softmax), slope
(LeakyReLU's negative slope) and dim (Softmax's dimension); the ReLU-like inputs
are kept at least 0.1 away from 0.

BatchNorm1d cases: channels, momentum, eps, state (weight, bias, not the
defaults, plus the initial running statistics), and steps: one entry per
training-mode forward, each with x, w, out, grad_x, grads (weight, bias), and the
buffers after the step: running_mean, running_var, num_batches_tracked. eval:
one evaluation-mode forward with the same fields (buffers unchanged).

MLP: state (all state_dict entries except num_batches_tracked), train and eval
entries shaped like a BatchNorm1d step (grads holds every parameter; buffers
holds "1.running_mean", "1.running_var", "1.num_batches_tracked").

Loss cases: name (MSELoss, BCEWithLogitsLoss, CrossEntropyLoss, Hinge), input
(predictions / logits / scores), target (CrossEntropyLoss: integer class
indices; Hinge: labels ±1), loss (the mean loss) and grad_input (∂loss/∂input).
Hinge is written as relu(1 − y·z).mean().

l2_sgd: lr, weight_decay, x [N, in], y [N, 1] in {0, 1}, state (the initial
"0.weight", "0.bias" of Sequential(Linear(in, 1))), and trajectory: one entry
per SGD step with the loss before the step (BCEWithLogitsLoss, without any
penalty) and the state after it. torch.optim.SGD(weight_decay=λ) decays every
parameter, the bias included.
"""

import json
import sys

import torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(20261123)


def L(t):
    return t.detach().tolist()


def away(*shape, lo=0.1, hi=2.0):
    """Uniform in ±[lo, hi]: never within lo of the kink at 0."""
    mag = lo + (hi - lo) * torch.rand(*shape)
    sign = torch.where(torch.rand(*shape) < 0.5, -1.0, 1.0)
    return mag * sign


def state_of(m):
    return {k: L(v) for k, v in m.state_dict().items() if not k.endswith("num_batches_tracked")}


def layer_pass(m, x):
    """One forward/backward of L = Σ(out ⊙ w)."""
    x = x.clone().requires_grad_(True)
    m.zero_grad(set_to_none=True)
    out = m(x)
    w = torch.randn(out.shape)
    (out * w).sum().backward()
    rec = {"x": L(x), "w": L(w), "out": L(out), "grad_x": L(x.grad)}
    rec["grads"] = {k: L(p.grad) for k, p in m.named_parameters()}
    return rec


def linear_case():
    m = torch.nn.Linear(5, 3)
    st = state_of(m)
    rec = layer_pass(m, torch.randn(4, 5))
    return dict({"in": 5, "out_features": 3, "state": st}, **rec)


def activation_cases():
    cases = []
    specs = [
        ("Sigmoid", torch.nn.Sigmoid(), {}, lambda: 3 * torch.randn(4, 5)),
        ("Tanh", torch.nn.Tanh(), {}, lambda: 2 * torch.randn(4, 5)),
        ("ReLU", torch.nn.ReLU(), {}, lambda: away(4, 5)),
        ("LeakyReLU", torch.nn.LeakyReLU(0.2), {"slope": 0.2}, lambda: away(4, 5)),
        ("GELU", torch.nn.GELU(), {}, lambda: 2 * torch.randn(4, 5)),
        ("Softmax", torch.nn.Softmax(dim=-1), {"dim": -1}, lambda: 3 * torch.randn(4, 5)),
    ]
    for name, m, extra, gen in specs:
        c = {"name": name}
        c.update(extra)
        c.update(layer_pass(m, gen()))
        cases.append(c)
    return cases


def buffers(m, prefix=""):
    return {
        prefix + "running_mean": L(getattr(m, "running_mean")),
        prefix + "running_var": L(getattr(m, "running_var")),
        prefix + "num_batches_tracked": int(m.num_batches_tracked),
    }


def batchnorm_case(name, shape, steps=3):
    c = shape[1]
    m = torch.nn.BatchNorm1d(c)
    with torch.no_grad():
        m.weight.copy_(1 + 0.5 * torch.randn(c))
        m.bias.copy_(0.5 * torch.randn(c))
    case = {"name": name, "channels": c, "momentum": m.momentum, "eps": m.eps, "state": state_of(m), "steps": []}
    m.train()
    for _ in range(steps):
        x = 1.5 * torch.randn(*shape) + torch.randn(c).view([1, c] + [1] * (len(shape) - 2))
        rec = layer_pass(m, x)
        rec.update(buffers(m))
        case["steps"].append(rec)
    m.eval()
    rec = layer_pass(m, 1.5 * torch.randn(*shape))
    rec.update(buffers(m))
    case["eval"] = rec
    return case


def mlp_case():
    m = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6), torch.nn.Tanh(), torch.nn.Linear(6, 3))
    with torch.no_grad():
        m[1].weight.copy_(1 + 0.3 * torch.randn(6))
        m[1].bias.copy_(0.3 * torch.randn(6))
    case = {"state": state_of(m)}
    m.train()
    rec = layer_pass(m, torch.randn(8, 4))
    rec["buffers"] = buffers(m[1], "1.")
    case["train"] = rec
    m.eval()
    rec = layer_pass(m, torch.randn(5, 4))
    rec["buffers"] = buffers(m[1], "1.")
    case["eval"] = rec
    return case


def loss_case(name, fn, inp, target, target_json=None):
    z = inp.clone().requires_grad_(True)
    loss = fn(z, target)
    loss.backward()
    return {
        "name": name,
        "input": L(z),
        "target": target_json if target_json is not None else L(target),
        "loss": loss.item(),
        "grad_input": L(z.grad),
    }


def loss_cases():
    cases = []
    cases.append(loss_case("MSELoss", torch.nn.MSELoss(), torch.randn(4, 3), torch.randn(4, 3)))
    z = 3 * torch.randn(3, 4)
    z[0, 0], z[0, 1], z[0, 2] = 800.0, -800.0, 0.0
    z[1, 0], z[1, 1] = 800.0, -800.0
    y = torch.rand(3, 4)
    y[0, :] = torch.tensor([0.0, 1.0, 1.0, 0.0])
    y[1, 0], y[1, 1] = 1.0, 0.0
    cases.append(loss_case("BCEWithLogitsLoss", torch.nn.BCEWithLogitsLoss(), z, y))
    labels = torch.randint(0, 4, (5,))
    cases.append(loss_case("CrossEntropyLoss", torch.nn.CrossEntropyLoss(), 2 * torch.randn(5, 4), labels, labels.tolist()))
    ys = torch.where(torch.rand(6, 1) < 0.5, -1.0, 1.0)
    zs = 1.5 * torch.randn(6, 1)
    hinge = lambda z, y: torch.relu(1 - y * z).mean()
    cases.append(loss_case("Hinge", hinge, zs, ys))
    return cases


def l2_sgd_case(steps=5, lr=0.1, wd=0.01):
    x = torch.randn(8, 3)
    y = (torch.rand(8, 1) < 0.5).double()
    m = torch.nn.Sequential(torch.nn.Linear(3, 1))
    case = {"lr": lr, "weight_decay": wd, "x": L(x), "y": L(y), "state": state_of(m), "trajectory": []}
    opt = torch.optim.SGD(m.parameters(), lr=lr, weight_decay=wd)
    lossf = torch.nn.BCEWithLogitsLoss()
    for _ in range(steps):
        opt.zero_grad()
        loss = lossf(m(x), y)
        loss.backward()
        opt.step()
        case["trajectory"].append({"loss": loss.item(), "state": state_of(m)})
    return case


def main():
    doc = {
        "torch": torch.__version__,
        "linear": linear_case(),
        "activations": activation_cases(),
        "batchnorm": [batchnorm_case("N6C3", (6, 3)), batchnorm_case("N4C3L5", (4, 3, 5))],
        "mlp": mlp_case(),
        "losses": loss_cases(),
        "l2_sgd": l2_sgd_case(),
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
