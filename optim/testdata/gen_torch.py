#!/usr/bin/python3
"""PyTorch reference trajectories for package optim.

Writes torch_trajectories.json next to this file: step-by-step float64
trajectories of torch.optim optimisers (with optional gradient clipping and
learning-rate schedules) on four 2-D objectives. The Go optimisers must
reproduce them step for step. CI has no Python: the Go tests only read the
JSON.

Regenerate (Debian: apt-get install python3-torch; written against PyTorch
1.13, the version Debian ships) from the module root with

    /usr/bin/python3 optim/testdata/gen_torch.py

and commit the JSON. The script is deterministic (float64 on the CPU,
torch.set_num_threads(1), no randomness): rerunning it rewrites the JSON byte
for byte. It refuses to write anything if a trajectory is not finite.

Objectives (written with torch ops on one parameter tensor p of shape [2],
x = p[0], y = p[1]; gradients come from autograd):

    rosenbrock  (1 - x)^2 + 100*(y - x^2)^2                        start (-1.2, 1)
    beale       (1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2
                  + (2.625 - x + x*y^3)^2                          start (1, 1)
    booth       (x + 2*y - 7)^2 + (2*x + y - 5)^2                  start (0, 0)
    bowl        (x - 2)^2 + (y - 1)^2                              start (4.5, 3.5)
    negbowl     -((x - 2)^2 + (y - 1)^2)   (only with maximize=True)   start (4.5, 3.5)

One step of a first-order optimiser (everything except LBFGS):

    opt.zero_grad(); loss = f(p); loss.backward()
    [clip_grad_norm_([p], max) or clip_grad_value_([p], max)]
    opt.step()
    [scheduler.step()]

100 steps per case. For LBFGS, 10 outer steps, each opt.step(closure) with
closure = zero_grad; loss = f(p); loss.backward(); return loss.

JSON layout: a list of cases (one per line), each an object with

    name       unique string "<variant>/<objective>", e.g. "sgd_momentum/beale"
    objective  "rosenbrock" | "beale" | "booth" | "bowl" | "negbowl"
    start      [x, y] starting point
    optimizer  torch.optim class name: "SGD", "Adagrad", "RMSprop", "Adam",
               "AdamW", "Adadelta", "NAdam", "LBFGS"
    params     every constructor argument under its PyTorch name with the value
               used, defaults included (read back from opt.param_groups[0]):
                 SGD      lr momentum dampening weight_decay nesterov maximize
                 Adagrad  lr lr_decay weight_decay initial_accumulator_value eps maximize
                 RMSprop  lr alpha eps weight_decay momentum centered maximize
                 Adam     lr betas eps weight_decay amsgrad maximize
                 AdamW    lr betas eps weight_decay amsgrad maximize
                 Adadelta lr rho eps weight_decay maximize
                 NAdam    lr betas eps weight_decay momentum_decay   (1.13 has no maximize)
                 LBFGS    lr max_iter max_eval tolerance_grad tolerance_change
                          history_size line_search_fn (null = no line search)
               betas is a 2-list. lr is the initial lr (schedules change it; see
               lrs). Implementation switches that do not change the arithmetic
               (foreach, capturable, differentiable, fused) are left at their
               defaults and omitted; with foreach=None 1.13 runs the
               single-tensor ("for-loop") code path, which the notes below
               describe.
    clip       null, or {"kind": "norm", "max": max_norm} for
               torch.nn.utils.clip_grad_norm_([p], max_norm) (norm_type 2), or
               {"kind": "value", "max": v} for clip_grad_value_([p], v)
    schedule   null, or {"kind": ..., parameters under PyTorch's names}:
                 "step"         StepLR          step_size, gamma
                 "multistep"    MultiStepLR     milestones, gamma
                 "exp"          ExponentialLR   gamma
                 "cosine"       CosineAnnealingLR  T_max, eta_min
                 "warmup"       LinearLR        start_factor, end_factor, total_iters
                 "inverse_time" LambdaLR        lr_lambda (text), decay, formula:
                                lr_t = lr0/(1 + 0.01*t), t = number of
                                scheduler.step() calls taken so far (0 for the
                                first optimiser step); PyTorch evaluates it as
                                lr0 * (1.0/(1.0 + 0.01*t)).
    lrs        learning rate used by each step: opt.param_groups[0]["lr"] read
               just before opt.step() (len = number of steps)
    path       [[x, y], ...]: the start, then the point after each step
               (len = steps + 1)
    loss       f at each point of path (for negbowl, the negated bowl value)
    evals      LBFGS only (else null): function evaluations (closure calls)
               made by each outer step, the increase of
               opt.state[p]["func_evals"]
    iters      LBFGS only (else null): inner iterations done by each outer
               step, the increase of opt.state[p]["n_iter"]

Floats are written with Python's repr (shortest string that round-trips), so
strconv.ParseFloat recovers the exact float64.

Expect agreement to a tolerance, not bit for bit: autograd's gradient, libm's
pow/cos (Go's math.Cos and math.Pow are not glibc's) and possible FMA
contraction in PyTorch's CPU kernels may differ in the last bit. Measured: an
independent scalar float64 re-implementation of the notes below (hand-written
gradients, Python floats) reproduces every lrs entry bit for bit, every evals
and iters list exactly, and every path to within 4e-15 (absolute; coordinates
are O(1)), except sgd_momentum_clip_norm/rosenbrock (2e-13),
lbfgs_strong_wolfe/rosenbrock (1e-13) and lbfgs_fixed_step/rosenbrock (5e-9:
with history_size 100 and a fixed step, last-bit differences in the gradient
are amplified once the iterates are near the minimum, from outer step 6 on).
So a tolerance of ~1e-12 fits everything but that last case, which needs ~1e-7.

PyTorch 1.13 update rules (read from the installed torch/optim/*.py,
single-tensor paths; g = p.grad after clipping, all operations elementwise,
t = step count starting at 1 on the first step; "a += b" written as in the
source, e.g. x.add_(y, alpha=a) is x + a*y, x.addcdiv_(u, v, value=c) is
x + c*u/v, x.addcmul_(u, v, value=c) is x + c*u*v):

  maximize (where supported) negates g first, before weight decay.

  SGD:   if weight_decay != 0: g = g + weight_decay*p
         if momentum != 0:
             first step: buf = g          (a copy; dampening NOT applied)
             later:      buf = momentum*buf + (1 - dampening)*g
             g = g + momentum*buf if nesterov else buf
         p = p - lr*g

  Adagrad: sum starts at initial_accumulator_value; t += 1 first
         if weight_decay != 0: g = g + weight_decay*p
         clr = lr / (1 + (t - 1)*lr_decay)       (so step 1 uses lr itself)
         sum = sum + g*g
         p = p - clr * g / (sqrt(sum) + eps)     (eps default 1e-10, outside sqrt)

  RMSprop: square_avg v, grad_avg a, momentum buffer b all start at 0
         if weight_decay != 0: g = g + weight_decay*p
         v = alpha*v + (1 - alpha)*g*g
         centered: a = alpha*a + (1 - alpha)*g; avg = sqrt(v - a*a) + eps
         else:     avg = sqrt(v) + eps            (eps outside the sqrt)
         momentum > 0: b = momentum*b + g/avg; p = p - lr*b
         else:         p = p - lr*g/avg
         No bias correction.

  Adam:  t += 1; if weight_decay != 0: g = g + weight_decay*p   (L2, coupled)
         m = beta1*m + (1 - beta1)*g
         v = beta2*v + (1 - beta2)*g*g
         bc1 = 1 - beta1**t; bc2 = 1 - beta2**t   (Python float powers)
         step_size = lr / bc1
         amsgrad: vmax = max(vmax, v)  (max of the raw, uncorrected v; starts 0)
                  denom = sqrt(vmax)/sqrt(bc2) + eps
         else:    denom = sqrt(v)/sqrt(bc2) + eps
         p = p - step_size * m / denom
         i.e. eps is added after the bias correction of sqrt(v) (not eps-hat).

  AdamW: t += 1; p = p*(1 - lr*weight_decay) FIRST (decoupled decay, current
         lr, before anything else, the gradient is not touched), then exactly
         Adam without weight decay (m, v, bc1, bc2, amsgrad as above),
         p = p - step_size * m / denom. Default weight_decay = 0.01.

  NAdam (1.13, no maximize):
         t += 1; bc2 = 1 - beta2**t
         if weight_decay != 0: g = g + weight_decay*p
         mu      = beta1*(1 - 0.5*0.96**(t*momentum_decay))
         mu_next = beta1*(1 - 0.5*0.96**((t + 1)*momentum_decay))
         mu_product = mu_product*mu                (starts at 1.0)
         mu_product_next = mu_product*mu*mu_next
             (mu counted twice: this is 1.13's default, single-tensor path;
             its foreach path and later PyTorch use mu_product*mu_next. The
             nadam_foreach cases, with "foreach": true in their params, follow
             that textbook form.)
         m = beta1*m + (1 - beta1)*g;  v = beta2*v + (1 - beta2)*g*g
         denom = sqrt(v / bc2) + eps               (divide, then sqrt)
         p = p + (-lr*(1 - mu)/(1 - mu_product)) * g / denom
         p = p + (-lr*mu_next/(1 - mu_product_next)) * m / denom
         (two successive in-place updates; coefficients are Python floats,
         evaluated left to right as written). The two forms move these
         paths apart by ~1e-3.

  Adadelta: v (square_avg) and u (acc_delta) start at 0
         if weight_decay != 0: g = g + weight_decay*p
         v = rho*v + (1 - rho)*g*g
         delta = sqrt(u + eps) / sqrt(v + eps) * g      (eps = 1e-6 inside both sqrts)
         u = rho*u + (1 - rho)*delta*delta
         p = p - lr*delta

  clip_grad_norm_: total = ||g||_2; coef = max_norm / (total + 1e-6);
         g = g * min(coef, 1.0)  -- always multiplied (by 1.0 when not clipping),
         and when clipping the result has norm slightly BELOW max_norm.
  clip_grad_value_: g = clamp(g, -v, v).

  Schedulers (step after opt.step(); t = scheduler steps taken; lr_0 = initial
  lr; all except LambdaLR are RECURSIVE in 1.13, multiplying the previous lr,
  so lrs can differ from the closed forms in the last bits -- lrs records the
  values actually used):
    StepLR:      lr_t = lr_{t-1}*gamma if t % step_size == 0 else lr_{t-1}
    MultiStepLR: lr_t = lr_{t-1}*gamma**(number of times t is a milestone)
                 (so after 60: (lr_0*0.1)*0.1, not lr_0*0.01)
    ExponentialLR: lr_t = lr_{t-1}*gamma (repeated multiplication, not gamma**t)
    CosineAnnealingLR: lr_t = (1 + cos(pi*t/T_max)) / (1 + cos(pi*(t-1)/T_max))
                 * (lr_{t-1} - eta_min) + eta_min  for t >= 1 (special case when
                 (t - 1 - T_max) % (2*T_max) == 0, not reached in 100 steps);
                 closed form eta_min + (lr_0 - eta_min)*(1 + cos(pi*t/T_max))/2.
    LinearLR:    lr_0' = lr_0*start_factor; for 1 <= t <= total_iters
                 lr_t = lr_{t-1} * (1 + (end_factor - start_factor) /
                        (total_iters*start_factor + (t - 1)*(end_factor - start_factor)));
                 unchanged after total_iters. The plateau is NOT lr_0 bit for
                 bit: with lr_0 = 0.01 it is 0.010000000000000004, with 0.1 it is
                 0.10000000000000005.
    LambdaLR:    lr_t = lr_0 * lr_lambda(t)  (closed form; here
                 lr_0 * (1/(1 + 0.01*t)), which differs from lr_0/(1 + 0.01*t)
                 in the last bit at 36 of the 100 steps).
    StepLR with gamma 0.5 matches its closed form exactly; MultiStepLR,
    ExponentialLR, CosineAnnealingLR and LinearLR differ from theirs by up to
    ~1e-15 relative at most steps.

  LBFGS (torch/optim/lbfgs.py), one opt.step(closure):
    evaluate loss, g (1 evaluation). If max|g| <= tolerance_grad: return
    without moving (that outer step costs 1 evaluation, 0 iterations).
    n_iter = 0; loop while n_iter < max_iter:
      n_iter += 1; state n_iter += 1 (global, survives across outer steps)
      direction: if global n_iter == 1: d = -g, history empty, H_diag = 1
        else: y = g - g_prev; s = d*t; ys = y.s
              if ys > 1e-10: append (y, s, rho = 1/ys), dropping the oldest pair
                             when history_size is reached; H_diag = ys / y.y
              two-loop recursion: q = -g; for i newest..oldest:
                al_i = (s_i.q)*rho_i; q = q - al_i*y_i
              r = q*H_diag; for i oldest..newest: be_i = (y_i.r)*rho_i;
                r = r + (al_i - be_i)*s_i;  d = r
      g_prev = g; loss_prev = loss
      t = min(1, 1/sum|g|)*lr on the very first global iteration, else t = lr
      gtd = g.d; if gtd > -tolerance_change: stop
      line_search_fn "strong_wolfe": _strong_wolfe(x, t, d, loss, g, gtd) with
        c1 = 1e-4, c2 = 0.9, tolerance_change, max_ls = 25, returns the new
        loss, g, t and its evaluations; then p = x + t*d.
        Bracketing: trial f_new, gtd_new at t; bracket [t_prev, t] if
        f_new > f + c1*t*gtd or (ls_iter > 1 and f_new >= f_prev); accept if
        |gtd_new| <= -c2*gtd; bracket if gtd_new >= 0; else extrapolate with
        cubic interpolation bounded to [t + 0.01*(t - t_prev), 10*t].
        Zoom: stop when |b1 - b0| * max|d| < tolerance_change; cubic
        interpolation in the bracket, moved to 0.1*width from an end when too
        close to it (insuf_progress rule); returns the bracket's low point.
        Cubic: d1 = g1 + g2 - 3(f1 - f2)/(x1 - x2), d2^2 = d1^2 - g1*g2,
        if d2^2 >= 0: x2 - (x2 - x1)*(g2 + d2 - d1)/(g2 - g1 + 2*d2) (for
        x1 <= x2) clamped to the bounds, else the bounds' midpoint.
      no line search: p = p + t*d; re-evaluate loss, g (1 evaluation) unless
        n_iter == max_iter (then loss and g are left stale).
      stop if n_iter == max_iter; or evaluations this outer step >= max_eval
        (default max_iter*5//4 = 25); or max|g| <= tolerance_grad; or
        max|d*t| <= tolerance_change; or |loss - loss_prev| < tolerance_change.
    An iteration that stops at the gtd test has already counted in n_iter
    and already set g_prev, loss_prev, d (and possibly pushed a history pair)
    and t = lr; all of that is kept.
    d, t, the history, H_diag, g_prev and loss_prev carry over to the next
    outer step. Defaults: tolerance_grad 1e-7 and tolerance_change 1e-9 (the
    1.13 docstring's 1e-5 is wrong), history_size 100.
"""

import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)

STEPS = 100
LBFGS_STEPS = 10
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_trajectories.json")


def rosenbrock(p):
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def beale(p):
    x, y = p[0], p[1]
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2


def booth(p):
    x, y = p[0], p[1]
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def bowl(p):
    x, y = p[0], p[1]
    return (x - 2) ** 2 + (y - 1) ** 2


def negbowl(p):
    return -bowl(p)


OBJECTIVES = {
    "rosenbrock": (rosenbrock, [-1.2, 1.0]),
    "beale": (beale, [1.0, 1.0]),
    "booth": (booth, [0.0, 0.0]),
    "bowl": (bowl, [4.5, 3.5]),
    "negbowl": (negbowl, [4.5, 3.5]),
}
FOUR = ("rosenbrock", "beale", "booth", "bowl")

# Per-objective learning rates, chosen so that every trajectory stays finite
# and is still moving (neither diverging nor converged to the last bit within
# a few steps).
LR_SGD = dict(rosenbrock=1e-3, beale=1e-2, booth=1e-2, bowl=1e-2)
LR_SGD_MOMENTUM = dict(rosenbrock=1e-3, beale=3e-3, booth=1e-2, bowl=1e-2)
LR_ADAGRAD = dict(rosenbrock=0.3, beale=0.3, booth=0.3, bowl=0.3)
LR_RMSPROP = dict(rosenbrock=1e-2, beale=1e-2, booth=3e-2, bowl=3e-2)
LR_RMSPROP_MOMENTUM = dict(rosenbrock=1e-2, beale=1e-3, booth=3e-3, bowl=3e-3)
LR_RMSPROP_ALL = dict(rosenbrock=1e-2, beale=1e-2, booth=1e-2, bowl=1e-2)
LR_ADAM = dict(rosenbrock=0.1, beale=3e-2, booth=0.1, bowl=0.1)
LR_ADADELTA = dict(rosenbrock=1.0, beale=1.0, booth=1.0, bowl=1.0)
LR_CLIP_NORM = dict(rosenbrock=1e-2, beale=1e-2, booth=1e-2, bowl=1e-2)
# Rosenbrock at 1e-2: at 3e-2 Adam with value clipping is chaotic there (a
# last-bit difference in the gradient grows about 1.5x per step, to 2e-10 by
# step 53), so comparing at 1e-10 would test the order of floating-point
# operations rather than the optimiser.
LR_CLIP_VALUE = dict(rosenbrock=1e-2, beale=3e-2, booth=0.1, bowl=0.1)

SCHEDULES = [
    ("step_lr", dict(kind="step", step_size=20, gamma=0.5)),
    ("multistep_lr", dict(kind="multistep", milestones=[30, 60], gamma=0.1)),
    ("exp_lr", dict(kind="exp", gamma=0.99)),
    ("cosine_lr", dict(kind="cosine", T_max=100, eta_min=0)),
    ("warmup_lr", dict(kind="warmup", start_factor=0.1, end_factor=1.0, total_iters=10)),
    ("inverse_time_lr", dict(kind="inverse_time", lr_lambda="lambda t: 1/(1 + 0.01*t)", decay=0.01,
                             formula="lr_t = lr0/(1 + 0.01*t), t = number of scheduler.step() calls taken "
                                     "(t = 0 for the first optimizer step); evaluated as lr0*(1/(1 + 0.01*t))")),
]
ADAM_SCHEDULES = ("cosine_lr", "warmup_lr")

# Parameter-group keys that are implementation switches, not arithmetic.
SKIP_KEYS = {"params", "foreach", "capturable", "differentiable", "fused", "initial_lr"}


def rows():
    """(variant, optimizer, kwargs, per-objective lr, objectives, clip, schedule)."""
    out = []

    def add(variant, opt, kw, lrs, objectives=FOUR, clip=None, schedule=None):
        out.append((variant, opt, kw, lrs, objectives, clip, schedule))

    add("sgd", "SGD", {}, LR_SGD)
    add("sgd_momentum", "SGD", dict(momentum=0.9), LR_SGD_MOMENTUM)
    add("sgd_momentum_dampening", "SGD", dict(momentum=0.9, dampening=0.1), LR_SGD_MOMENTUM)
    add("sgd_nesterov", "SGD", dict(momentum=0.9, nesterov=True), LR_SGD_MOMENTUM)
    add("sgd_weight_decay", "SGD", dict(weight_decay=0.01), LR_SGD)
    add("sgd_maximize", "SGD", dict(maximize=True), dict(negbowl=1e-2), objectives=("negbowl",))
    add("adagrad", "Adagrad", {}, LR_ADAGRAD)
    add("adagrad_decay", "Adagrad", dict(lr_decay=0.01, initial_accumulator_value=0.1, weight_decay=0.01),
        LR_ADAGRAD)
    add("rmsprop", "RMSprop", {}, LR_RMSPROP)
    add("rmsprop_centered", "RMSprop", dict(centered=True), LR_RMSPROP)
    add("rmsprop_momentum", "RMSprop", dict(momentum=0.9), LR_RMSPROP_MOMENTUM)
    add("rmsprop_centered_momentum_wd", "RMSprop", dict(centered=True, momentum=0.5, weight_decay=0.01),
        LR_RMSPROP_ALL)
    add("adam", "Adam", {}, LR_ADAM)
    add("adam_amsgrad", "Adam", dict(amsgrad=True), LR_ADAM)
    add("adam_betas_eps_wd", "Adam", dict(betas=(0.8, 0.95), eps=1e-6, weight_decay=0.01), LR_ADAM)
    add("adamw", "AdamW", {}, LR_ADAM)
    add("adamw_amsgrad", "AdamW", dict(amsgrad=True), LR_ADAM)
    add("adadelta", "Adadelta", {}, LR_ADADELTA)
    add("adadelta_rho", "Adadelta", dict(rho=0.8), LR_ADADELTA)
    # The default (single-tensor) path is what torch 1.13 runs; foreach=True
    # takes its batched path, which has the textbook mu_product*mu_next (see
    # the NAdam note above). "foreach" is recorded for NAdam only.
    add("nadam", "NAdam", {}, LR_ADAM)
    add("nadam_momentum_decay", "NAdam", dict(momentum_decay=0.01), LR_ADAM)
    add("nadam_foreach", "NAdam", dict(foreach=True), LR_ADAM)
    add("sgd_momentum_clip_norm", "SGD", dict(momentum=0.9), LR_CLIP_NORM, clip=dict(kind="norm", max=1.0))
    add("adam_clip_value", "Adam", {}, LR_CLIP_VALUE, clip=dict(kind="value", max=0.5))
    for variant, sched in SCHEDULES:
        add("sgd_" + variant, "SGD", {}, LR_SGD, schedule=sched)
    for variant, sched in SCHEDULES:
        if variant in ADAM_SCHEDULES:
            add("adam_" + variant, "Adam", {}, LR_ADAM, schedule=sched)
    add("lbfgs_strong_wolfe", "LBFGS", dict(max_iter=20, history_size=10, line_search_fn="strong_wolfe"),
        dict.fromkeys(FOUR, 1.0))
    add("lbfgs_fixed_step", "LBFGS", dict(max_iter=20), dict.fromkeys(FOUR, 0.1))
    return out


def make_scheduler(opt, sched):
    kind = sched["kind"]
    S = torch.optim.lr_scheduler
    if kind == "step":
        return S.StepLR(opt, step_size=sched["step_size"], gamma=sched["gamma"])
    if kind == "multistep":
        return S.MultiStepLR(opt, milestones=sched["milestones"], gamma=sched["gamma"])
    if kind == "exp":
        return S.ExponentialLR(opt, gamma=sched["gamma"])
    if kind == "cosine":
        return S.CosineAnnealingLR(opt, T_max=sched["T_max"], eta_min=sched["eta_min"])
    if kind == "warmup":
        return S.LinearLR(opt, start_factor=sched["start_factor"], end_factor=sched["end_factor"],
                          total_iters=sched["total_iters"])
    if kind == "inverse_time":
        decay = sched["decay"]
        return S.LambdaLR(opt, lr_lambda=lambda t: 1 / (1 + decay * t))
    raise ValueError(kind)


def point(p):
    return [float(v) for v in p.detach().tolist()]


def value(f, p):
    with torch.no_grad():
        return float(f(p).item())


def params_of(opt):
    group = opt.param_groups[0]
    params = {}
    for key, val in group.items():
        if key in SKIP_KEYS and not (key == "foreach" and type(opt).__name__ == "NAdam"):
            continue
        if isinstance(val, tuple):
            val = list(val)
        params[key] = val
    params["lr"] = group.get("initial_lr", group["lr"])
    return dict(sorted(params.items()))


def run(variant, opt_name, kw, lr, objective, clip, schedule):
    f, start = OBJECTIVES[objective]
    p = torch.tensor(start, requires_grad=True)
    opt = getattr(torch.optim, opt_name)([p], lr=lr, **kw)
    sched = make_scheduler(opt, schedule) if schedule else None
    params = params_of(opt)
    path = [point(p)]
    loss = [value(f, p)]
    lrs = []
    evals = iters = None

    if opt_name == "LBFGS":
        evals, iters = [], []

        def closure():
            opt.zero_grad()
            out = f(p)
            out.backward()
            return out

        for _ in range(LBFGS_STEPS):
            state = opt.state[p]
            before_evals, before_iters = state.get("func_evals", 0), state.get("n_iter", 0)
            lrs.append(opt.param_groups[0]["lr"])
            opt.step(closure)
            state = opt.state[p]
            evals.append(state["func_evals"] - before_evals)
            iters.append(state["n_iter"] - before_iters)
            path.append(point(p))
            loss.append(value(f, p))
    else:
        for _ in range(STEPS):
            opt.zero_grad()
            out = f(p)
            out.backward()
            if clip is not None:
                if clip["kind"] == "norm":
                    torch.nn.utils.clip_grad_norm_([p], clip["max"])
                else:
                    torch.nn.utils.clip_grad_value_([p], clip["max"])
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            if sched is not None:
                sched.step()
            path.append(point(p))
            loss.append(value(f, p))

    lrs = [float(v) for v in lrs]
    for v in [*lrs, *loss, *(c for xy in path for c in xy)]:
        if not math.isfinite(v):
            raise SystemExit(f"{variant}/{objective}: non-finite value in trajectory")
    return {
        "name": f"{variant}/{objective}",
        "objective": objective,
        "start": [float(v) for v in start],
        "optimizer": opt_name,
        "params": params,
        "clip": clip,
        "schedule": schedule,
        "lrs": lrs,
        "path": path,
        "loss": loss,
        "evals": evals,
        "iters": iters,
    }


def main():
    cases = []
    for variant, opt_name, kw, lrs, objectives, clip, schedule in rows():
        for objective in objectives:
            cases.append(run(variant, opt_name, kw, lrs[objective], objective, clip, schedule))
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    lines = [json.dumps(c, allow_nan=False, separators=(",", ":")) for c in cases]
    with open(OUT, "w") as fh:
        fh.write("[\n" + ",\n".join(lines) + "\n]\n")
    print(f"wrote {len(cases)} cases to {OUT} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
