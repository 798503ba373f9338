// nabla playground: the page only draws. Every number comes from the Go
// engine through the JSON API (see package playground).
"use strict";

const $ = (id) => document.getElementById(id);
const SVGNS = "http://www.w3.org/2000/svg";
const COLORS = ["#e6194b", "#2458d6", "#f58231", "#3cb44b", "#911eb4", "#42a5b3", "#f032e6", "#7a5c00", "#000000", "#808080"];

// window.nabla is the page's state, visible to tests and the console.
const state = window.nabla = {
  view: "function", info: null, surface: null, point: null, runs: [],
  animating: false, animDone: false, error: "", train: null, trainShown: -1, trainError: "",
  start: null, dir: [1, 0],
};

const PRESETS = [
  { name: "Rosenbrock", steps: 1500, expr: "(1-x)^2 + 100*(y-x^2)^2", box: [-2, 2, -1, 3], start: [-1.2, 1],
    lr: { gd: 0.001, momentum: 0.0005, nesterov: 0.0005, adagrad: 0.5, rmsprop: 0.01, adam: 0.05, adamw: 0.05, nadam: 0.05, adadelta: 1 } },
  { name: "Himmelblau", steps: 200, expr: "(x^2+y-11)^2 + (x+y^2-7)^2", box: [-5, 5, -5, 5], start: [0.2, -0.5],
    lr: { gd: 0.01, momentum: 0.005, nesterov: 0.005, adagrad: 1, rmsprop: 0.05, adam: 0.2, adamw: 0.2, nadam: 0.2, adadelta: 1 } },
  { name: "Saddle x² − y²", steps: 60, expr: "x^2 - y^2", box: [-2, 2, -2, 2], start: [-1.8, 0.02],
    lr: { gd: 0.05, momentum: 0.02, nesterov: 0.02, adagrad: 0.3, rmsprop: 0.01, adam: 0.05, adamw: 0.05, nadam: 0.05, adadelta: 1 } },
  { name: "Elongated bowl", steps: 150, expr: "x^2 + 20*y^2", box: [-3, 3, -3, 3], start: [-2.5, 1.5],
    lr: { gd: 0.045, momentum: 0.01, nesterov: 0.01, adagrad: 0.8, rmsprop: 0.05, adam: 0.2, adamw: 0.2, nadam: 0.2, adadelta: 1 } },
  { name: "Wavy", steps: 200, expr: "sin(2*x)*cos(2*y) + 0.1*(x^2 + y^2)", box: [-3, 3, -3, 3], start: [0.3, 0.4],
    lr: { gd: 0.1, momentum: 0.05, nesterov: 0.05, adagrad: 0.5, rmsprop: 0.02, adam: 0.1, adamw: 0.1, nadam: 0.1, adadelta: 1 } },
];
const CHECKED = ["gd", "momentum", "adam"];

// api posts a JSON request and returns the answer, throwing the server's
// error message on failure.
async function api(path, body) {
  const res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  let data;
  try { data = await res.json(); } catch (e) { throw new Error(`the server answered ${res.status} without JSON`); }
  if (!res.ok) {
    const err = new Error(data.error || `the server answered ${res.status}`);
    err.column = data.column;
    throw err;
  }
  return data;
}

function showError(el, msg) {
  el.textContent = msg || "";
  el.hidden = !msg;
}

function fmt(v, digits = 4) {
  if (v === null || v === undefined || Number.isNaN(v)) return "undefined";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(digits - 1);
  return String(Number(v.toPrecision(digits)));
}

function el(tag, attrs, parent) {
  const e = document.createElementNS(SVGNS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}

// ---------- colour ----------

// A perceptually ordered ramp from dark blue through teal to pale yellow.
const RAMP = [[31, 37, 92], [38, 83, 140], [33, 130, 142], [53, 173, 120], [143, 205, 84], [246, 232, 150]];
function ramp(t) {
  t = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(t)), f = t - i;
  return RAMP[i].map((c, k) => Math.round(c + f * (RAMP[i + 1][k] - c)));
}

// levelPosition places v among the contour levels: 0 at the lowest, 1 at
// the highest, linear between neighbouring levels.
function levelPosition(v, levels) {
  const L = levels.length;
  if (L < 2) return 0.5;
  if (v <= levels[0]) return 0;
  if (v >= levels[L - 1]) return 1;
  let lo = 0, hi = L - 1;
  while (hi - lo > 1) { const m = (lo + hi) >> 1; if (levels[m] <= v) lo = m; else hi = m; }
  return (lo + (v - levels[lo]) / (levels[hi] - levels[lo])) / (L - 1);
}

// ---------- geometry ----------

function toPx(box, W, H, x, y) {
  const px = (x - box.xmin) / (box.xmax - box.xmin) * W;
  const py = H - (y - box.ymin) / (box.ymax - box.ymin) * H;
  const c = (v) => Math.max(-1e4, Math.min(1e4, v));
  return [c(px), c(py)];
}

function toWorld(box, W, H, px, py) {
  return [box.xmin + px / W * (box.xmax - box.xmin), box.ymin + (H - py) / H * (box.ymax - box.ymin)];
}

// contourSegments runs marching squares over an n×n grid of values (row j
// is y_j, column i is x_i) and returns the segments of the level line in
// grid coordinates.
function contourSegments(values, n, level) {
  const segs = [];
  const at = (i, j) => values[j * n + i];
  for (let j = 0; j < n - 1; j++) {
    for (let i = 0; i < n - 1; i++) {
      const c = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1]];
      const v = c.map(([a, b]) => at(a, b));
      if (v.some((x) => x === null)) continue;
      const pts = [];
      for (let e = 0; e < 4; e++) {
        const a = v[e], b = v[(e + 1) % 4];
        if ((a < level) !== (b < level)) {
          const t = (level - a) / (b - a);
          const p = c[e], q = c[(e + 1) % 4];
          pts.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
        }
      }
      if (pts.length >= 2) segs.push([pts[0], pts[1]]);
      if (pts.length === 4) segs.push([pts[2], pts[3]]);
    }
  }
  return segs;
}

// ---------- charts ----------

// lineChart draws series [{ys, color, name}] against their index (x from
// x0) in svg, and a vertical cursor at x = cursor. Points past upto are not
// drawn. With opts.log the y axis is logarithmic when every value is
// positive, symmetric-logarithmic (sign(y)·log₁₀(1 + |y|)) when values of
// large magnitude reach zero or below, and linear otherwise.
function lineChart(svg, series, opts = {}) {
  svg.replaceChildren();
  const W = +svg.getAttribute("width"), H = +svg.getAttribute("height");
  const m = { l: 62, r: 10, t: 10, b: 24 };
  const x0 = opts.x0 || 0;
  let lo = Infinity, hi = -Infinity, len = 0;
  for (const s of series) {
    len = Math.max(len, s.ys.length);
    for (const y of s.ys) if (y !== null && Number.isFinite(y)) { lo = Math.min(lo, y); hi = Math.max(hi, y); }
  }
  if (!Number.isFinite(lo)) { el("text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, svg).textContent = "no data yet"; return; }
  const scale = !opts.log ? "linear" : lo > 0 ? "log" : Math.max(-lo, hi) > 1e3 ? "symlog" : "linear";
  const f = { log: Math.log10, symlog: (v) => Math.sign(v) * Math.log10(1 + Math.abs(v)), linear: (v) => v }[scale];
  const finv = { log: (v) => 10 ** v, symlog: (v) => Math.sign(v) * (10 ** Math.abs(v) - 1), linear: (v) => v }[scale];
  const log = scale === "log";
  let a = f(lo), b = f(hi);
  if (b - a < 1e-12) { a -= 1; b += 1; }
  const pad = (b - a) * 0.05; a -= pad; b += pad;
  const sx = (i) => m.l + (len <= 1 ? 0 : (i / (len - 1)) * (W - m.l - m.r));
  const sy = (v) => m.t + (1 - (f(v) - a) / (b - a)) * (H - m.t - m.b);
  el("rect", { x: m.l, y: m.t, width: W - m.l - m.r, height: H - m.t - m.b, fill: "#fafafa", stroke: "#ddd" }, svg);
  for (let k = 0; k <= 4; k++) {
    const v = a + (b - a) * k / 4, y = m.t + (1 - k / 4) * (H - m.t - m.b);
    el("line", { x1: m.l, x2: W - m.r, y1: y, y2: y, stroke: "#eee" }, svg);
    el("text", { x: m.l - 4, y: y + 4, "text-anchor": "end" }, svg).textContent = fmt(finv(v), 3);
  }
  el("text", { x: m.l, y: H - 6 }, svg).textContent = String(x0);
  el("text", { x: W - m.r, y: H - 6, "text-anchor": "end" }, svg).textContent = `${x0 + Math.max(len - 1, 0)} ${opts.xLabel || ""}`;
  if (scale !== "linear") el("text", { x: W - m.r - 2, y: m.t + 12, "text-anchor": "end" }, svg).textContent = scale + " scale";
  const upto = opts.upto === undefined ? Infinity : opts.upto;
  for (const s of series) {
    let d = "", pen = false;
    for (let i = 0; i < s.ys.length && i <= upto; i++) {
      const y = s.ys[i];
      if (y === null || !Number.isFinite(y) || (log && y <= 0)) { pen = false; continue; }
      d += `${pen ? "L" : "M"}${sx(i).toFixed(1)} ${sy(y).toFixed(1)}`;
      pen = true;
    }
    el("path", { d, fill: "none", stroke: s.color, "stroke-width": 1.8, class: "run" }, svg);
  }
  if (opts.cursor !== undefined) {
    const x = sx(opts.cursor);
    el("line", { x1: x, x2: x, y1: m.t, y2: H - m.b, stroke: "#999", "stroke-dasharray": "3 3" }, svg);
  }
}

// ---------- function view ----------

// colorOf gives each optimiser the colour of its row in the table.
function colorOf(name) {
  const i = state.info.optimizers.findIndex((o) => o.name === name);
  return COLORS[(i < 0 ? 0 : i) % COLORS.length];
}

const FN = { W: 560, H: 560 };

function currentBox() {
  return { xmin: +$("xmin").value, xmax: +$("xmax").value, ymin: +$("ymin").value, ymax: +$("ymax").value };
}

function setBusy(busy, ...ids) { for (const id of ids) $(id).disabled = busy; }

async function plot() {
  showError($("fn-error"), "");
  state.error = "";
  setBusy(true, "plot", "run");
  try {
    state.surface = await api("/api/surface", { expr: $("expr").value, box: currentBox(), n: 120, field: 22 });
    state.runs = [];
    drawHeat();
    drawOverlay();
    lineChart($("loss"), []);
    $("run-legend").replaceChildren();
    if (state.start) await queryPoint();
  } catch (e) {
    reportError(e);
  } finally {
    setBusy(false, "plot", "run");
  }
}

// reportError shows a failed request's message; for an expression that did
// not parse it also selects the offending character in the input.
function reportError(e) {
  state.error = e.message;
  showError($("fn-error"), e.message);
  if (e.column) {
    const input = $("expr"), at = Math.min(e.column - 1, input.value.length);
    input.focus();
    input.setSelectionRange(at, Math.min(at + 1, input.value.length));
  }
}

function drawHeat() {
  const s = state.surface, n = s.n, cv = $("heat"), ctx = cv.getContext("2d");
  const img = new ImageData(n, n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const v = s.values[j * n + i], k = ((n - 1 - j) * n + i) * 4; // row 0 of the image is the top (y max)
      const [r, g, b] = v === null ? [200, 200, 200] : ramp(levelPosition(v, s.levels));
      img.data[k] = r; img.data[k + 1] = g; img.data[k + 2] = b; img.data[k + 3] = 255;
    }
  }
  const tmp = document.createElement("canvas");
  tmp.width = n; tmp.height = n;
  tmp.getContext("2d").putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.clearRect(0, 0, cv.width, cv.height);
  // Grid values sit on the cell corners: stretch so that the first and last
  // samples land on the edges of the plot.
  const cell = FN.W / (n - 1);
  ctx.drawImage(tmp, -cell / 2, -cell / 2, FN.W + cell, FN.H + cell);
}

// drawOverlay redraws the SVG layer: contours, the −∇f field, the paths up
// to step k of the animation, the point and its arrows.
function drawOverlay(k) {
  const svg = $("overlay"), s = state.surface;
  svg.replaceChildren();
  if (!s) return;
  const box = s.box, n = s.n;
  const gpx = (i, j) => toPx(box, FN.W, FN.H, box.xmin + i / (n - 1) * (box.xmax - box.xmin), box.ymin + j / (n - 1) * (box.ymax - box.ymin));
  for (const level of s.levels) {
    let d = "";
    for (const [p, q] of contourSegments(s.values, n, level)) {
      const [x1, y1] = gpx(p[0], p[1]), [x2, y2] = gpx(q[0], q[1]);
      d += `M${x1.toFixed(1)} ${y1.toFixed(1)}L${x2.toFixed(1)} ${y2.toFixed(1)}`;
    }
    el("path", { d, fill: "none", stroke: "rgba(255,255,255,0.55)", "stroke-width": 1, class: "contour" }, svg);
  }
  // The field: −∇f direction, opacity rising with the magnitude (log scale).
  const m = s.field, fx = (i) => box.xmin + i / (m - 1) * (box.xmax - box.xmin), fy = (j) => box.ymin + j / (m - 1) * (box.ymax - box.ymin);
  const mags = [];
  for (let q = 0; q < m * m; q++) if (s.gx[q] !== null && s.gy[q] !== null) mags.push(Math.hypot(s.gx[q], s.gy[q]));
  const maxLog = Math.log1p(Math.max(...mags, 1e-300));
  const len = FN.W / m * 0.42;
  let arrows = "";
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < m; i++) {
      const gx = s.gx[j * m + i], gy = s.gy[j * m + i];
      if (gx === null || gy === null) continue;
      const g = Math.hypot(gx, gy);
      if (!(g > 0)) continue;
      const [cx, cy] = toPx(box, FN.W, FN.H, fx(i), fy(j));
      const ux = -gx / g, uy = gy / g; // −∇f in screen coordinates (y points down)
      const w = 0.25 + 0.75 * Math.log1p(g) / maxLog;
      const ex = cx + ux * len * w, ey = cy + uy * len * w;
      arrows += `M${(cx - ux * len * w * 0.3).toFixed(1)} ${(cy - uy * len * w * 0.3).toFixed(1)}L${ex.toFixed(1)} ${ey.toFixed(1)}`;
      arrows += `M${(ex - ux * 4 - uy * 2.5).toFixed(1)} ${(ey - uy * 4 + ux * 2.5).toFixed(1)}L${ex.toFixed(1)} ${ey.toFixed(1)}L${(ex - ux * 4 + uy * 2.5).toFixed(1)} ${(ey - uy * 4 - ux * 2.5).toFixed(1)}`;
    }
  }
  el("path", { d: arrows, fill: "none", stroke: "rgba(255,255,255,0.8)", "stroke-width": 1, class: "field" }, svg);
  state.runs.forEach((r) => {
    const upto = k === undefined ? r.x.length - 1 : Math.min(k, r.x.length - 1);
    let d = "";
    for (let i = 0; i <= upto; i++) {
      if (r.x[i] === null || r.y[i] === null) break;
      const [px, py] = toPx(box, FN.W, FN.H, r.x[i], r.y[i]);
      d += `${i ? "L" : "M"}${px.toFixed(1)} ${py.toFixed(1)}`;
    }
    const color = colorOf(r.name);
    el("path", { d, fill: "none", stroke: color, "stroke-width": 2.2, "stroke-linejoin": "round", class: "run", "data-name": r.name }, svg);
    if (upto >= 0 && r.x[upto] !== null) {
      const [px, py] = toPx(box, FN.W, FN.H, r.x[upto], r.y[upto]);
      el("circle", { cx: px, cy: py, r: 4.5, fill: color, stroke: "#fff", "stroke-width": 1.5 }, svg);
    }
  });
  drawPointMarks(svg);
}

function arrow(svg, x, y, ux, uy, length, color, cls) {
  const ex = x + ux * length, ey = y + uy * length;
  el("path", {
    d: `M${x} ${y}L${ex} ${ey}M${ex - ux * 9 - uy * 5} ${ey - uy * 9 + ux * 5}L${ex} ${ey}L${ex - ux * 9 + uy * 5} ${ey - uy * 9 - ux * 5}`,
    stroke: color, "stroke-width": 2.5, fill: "none", "stroke-linecap": "round", class: cls,
  }, svg);
}

function drawPointMarks(svg) {
  if (!state.start || !state.surface) return;
  const [px, py] = toPx(state.surface.box, FN.W, FN.H, state.start[0], state.start[1]);
  const p = state.point;
  if (p && p.grad && p.grad_norm > 0) arrow(svg, px, py, p.grad[0] / p.grad_norm, -p.grad[1] / p.grad_norm, 55, "#ff4d4d", "grad");
  const dn = Math.hypot(state.dir[0], state.dir[1]) || 1;
  arrow(svg, px, py, state.dir[0] / dn, -state.dir[1] / dn, 45, "#ffd23f", "dir");
  el("circle", { cx: px, cy: py, r: 6, fill: "#fff", stroke: "#111", "stroke-width": 2, class: "start" }, svg);
}

async function queryPoint() {
  if (!state.start) return;
  try {
    state.point = await api("/api/point", { expr: $("expr").value, x: state.start[0], y: state.start[1], dir: state.dir });
    showPoint();
  } catch (e) {
    state.point = null;
    $("point-info").tBodies[0].replaceChildren();
    $("verdict").textContent = e.message;
    $("verdict").className = "verdict";
  }
  drawOverlay();
}

function showPoint() {
  const p = state.point, rows = [
    ["point (x, y)", `(${fmt(p.x)}, ${fmt(p.y)})`],
    ["f", fmt(p.value, 6)],
    ["∇f (red)", `(${fmt(p.grad[0])}, ${fmt(p.grad[1])})`],
    ["‖∇f‖", fmt(p.grad_norm)],
    ["direction û (yellow)", `(${fmt(p.dir[0], 3)}, ${fmt(p.dir[1], 3)})`],
    ["D_û f = ∇f·û", fmt(p.directional)],
    ["Hessian ∇²f", `[${fmt(p.hessian[0][0])}, ${fmt(p.hessian[0][1])}; ${fmt(p.hessian[1][0])}, ${fmt(p.hessian[1][1])}]`],
    ["eigenvalues", `${fmt(p.eigenvalues[0])}, ${fmt(p.eigenvalues[1])}`],
  ];
  const tb = $("point-info").tBodies[0];
  tb.replaceChildren();
  for (const [k, v] of rows) {
    const tr = tb.insertRow();
    tr.insertCell().textContent = k;
    tr.insertCell().textContent = v;
  }
  $("verdict").textContent = p.verdict;
  $("verdict").className = "verdict " + (p.stationary ? p.curvature : "");
}

async function runOptimizers() {
  showError($("fn-error"), "");
  state.error = "";
  const runs = [];
  for (const tr of $("optimizers").tBodies[0].rows) {
    if (tr.querySelector("input[type=checkbox]").checked) runs.push({ name: tr.dataset.name, lr: +tr.querySelector("input[type=number]").value });
  }
  if (!state.surface) await plot();
  if (!state.start) setStart(currentPreset().start);
  setBusy(true, "plot", "run");
  try {
    const res = await api("/api/optimize", { expr: $("expr").value, start: state.start, steps: +$("steps").value, runs });
    state.runs = res.runs;
    animate();
  } catch (e) {
    reportError(e);
  } finally {
    setBusy(false, "plot", "run");
  }
}

function animate() {
  const longest = Math.max(...state.runs.map((r) => r.x.length));
  const legend = $("run-legend");
  legend.replaceChildren();
  state.runs.forEach((r) => {
    const li = document.createElement("li");
    const last = r.loss.length - 1;
    li.innerHTML = `<span class="swatch" style="background:${colorOf(r.name)}"></span>`;
    li.append(`${r.name} (lr ${fmt(r.lr)}): f = ${fmt(r.loss[last], 5)} at (${fmt(r.x[last])}, ${fmt(r.y[last])}) after ${r.steps} steps`);
    if (r.error) { const s = document.createElement("div"); s.className = "err"; s.textContent = r.error; li.append(s); }
    legend.append(li);
  });
  state.animating = true;
  state.animDone = false;
  const t0 = performance.now(), duration = Math.min(4000, 800 + longest * 8);
  const series = state.runs.map((r) => ({ ys: r.loss, color: colorOf(r.name), name: r.name }));
  const frame = (now) => {
    const k = Math.min(longest - 1, Math.floor((now - t0) / duration * (longest - 1)));
    drawOverlay(k);
    lineChart($("loss"), series, { log: true, upto: k, cursor: k, xLabel: "steps" });
    if (k < longest - 1) requestAnimationFrame(frame);
    else { state.animating = false; state.animDone = true; }
  };
  requestAnimationFrame(frame);
}

function setStart(p) {
  state.start = p;
  queryPoint();
}

function currentPreset() { return PRESETS[parseInt($("preset").value, 10)] || PRESETS[0]; }

function applyPreset() {
  if ($("preset").value === "custom") return;
  const p = currentPreset();
  $("expr").value = p.expr;
  ["xmin", "xmax", "ymin", "ymax"].forEach((id, i) => { $(id).value = p.box[i]; });
  for (const tr of $("optimizers").tBodies[0].rows) {
    const lr = p.lr[tr.dataset.name];
    if (lr) tr.querySelector("input[type=number]").value = lr;
  }
  $("steps").value = p.steps;
  state.start = p.start;
  state.point = null;
  plot();
}

function setupFunctionView() {
  const sel = $("preset");
  PRESETS.forEach((p, i) => sel.add(new Option(p.name, i)));
  sel.add(new Option("your function", "custom"));
  $("expr").oninput = () => { sel.value = "custom"; };
  const tb = $("optimizers").tBodies[0];
  state.info.optimizers.forEach((o, i) => {
    const tr = tb.insertRow();
    tr.dataset.name = o.name;
    tr.title = o.about;
    const cb = document.createElement("input");
    cb.type = "checkbox"; cb.checked = CHECKED.includes(o.name); cb.id = "opt-" + o.name;
    tr.insertCell().append(cb);
    const name = tr.insertCell();
    name.innerHTML = `<span class="swatch" style="background:${COLORS[i % COLORS.length]}"></span>`;
    name.append(o.name);
    const lr = document.createElement("input");
    lr.type = "number"; lr.step = "any"; lr.min = "0"; lr.value = PRESETS[0].lr[o.name] || 0.01;
    tr.insertCell().append(lr);
  });
  $("expr").maxLength = state.info.limits.expr_len;
  $("steps").max = state.info.limits.steps;
  sel.onchange = applyPreset;
  $("plot").onclick = plot;
  $("expr").onkeydown = (e) => { if (e.key === "Enter") plot(); };
  $("run").onclick = runOptimizers;

  // Pointer: press sets the point; dragging sets the direction.
  const svg = $("overlay");
  let down = null;
  const world = (e) => {
    const r = svg.getBoundingClientRect();
    return toWorld(state.surface.box, FN.W, FN.H, (e.clientX - r.left) * FN.W / r.width, (e.clientY - r.top) * FN.H / r.height);
  };
  svg.onpointerdown = (e) => {
    if (!state.surface) return;
    down = world(e);
    state.start = down;
    svg.setPointerCapture(e.pointerId);
    drawOverlay();
  };
  svg.onpointermove = (e) => {
    if (!down) return;
    const w = world(e), d = [w[0] - down[0], w[1] - down[1]];
    const box = state.surface.box;
    if (Math.hypot(d[0] / (box.xmax - box.xmin), d[1] / (box.ymax - box.ymin)) > 0.01) { state.dir = d; drawOverlay(); }
  };
  svg.onpointerup = () => { if (down) { down = null; queryPoint(); } };
  state.start = PRESETS[0].start;
  $("steps").value = PRESETS[0].steps;
  plot();
}

// ---------- network view ----------

function setupNetworkView() {
  const fill = (id, names, chosen) => { for (const n of names) $(id).add(new Option(n, n, n === chosen, n === chosen)); };
  fill("nn-dataset", state.info.datasets, "circles");
  fill("nn-activation", state.info.activations, "tanh");
  fill("nn-init", state.info.inits, "default");
  fill("nn-optimizer", state.info.optimizers.map((o) => o.name), "adam");
  $("train").onclick = trainNetwork;
  $("nn-scrub").oninput = () => { stopPlay(); showSnapshot(+$("nn-scrub").value); };
  $("nn-play").onclick = () => (playTimer ? stopPlay() : play());
}

async function trainNetwork() {
  showError($("nn-error"), "");
  state.trainError = "";
  stopPlay();
  setBusy(true, "train");
  const num = (id) => +$(id).value;
  try {
    state.train = await api("/api/train", {
      dataset: $("nn-dataset").value, seed: num("nn-seed"), points: num("nn-points"), noise: num("nn-noise"),
      depth: num("nn-depth"), width: num("nn-width"), activation: $("nn-activation").value, init: $("nn-init").value,
      optimizer: { name: $("nn-optimizer").value, lr: num("nn-lr") }, epochs: num("nn-epochs"), every: num("nn-every"), grid: 50,
    });
    const t = state.train;
    $("nn-scrub").max = t.snapshots.length - 1;
    const legend = $("nn-legend");
    legend.replaceChildren();
    t.layers.forEach((name, i) => {
      const li = document.createElement("li");
      li.innerHTML = `<span class="swatch" style="background:${COLORS[i % COLORS.length]}"></span>`;
      li.append(name);
      legend.append(li);
    });
    if (t.stopped) showError($("nn-error"), "Training stopped early: " + t.stopped);
    play();
  } catch (e) {
    state.trainError = e.message;
    showError($("nn-error"), e.message);
  } finally {
    setBusy(false, "train");
  }
}

let playTimer = null;
function play() {
  const t = state.train;
  if (!t) return;
  let i = state.trainShown >= t.snapshots.length - 1 || state.trainShown < 0 ? 0 : state.trainShown;
  $("nn-play").textContent = "❚❚";
  const tick = () => {
    showSnapshot(i);
    if (i >= t.snapshots.length - 1) { stopPlay(); return; }
    i++;
    playTimer = setTimeout(tick, Math.max(30, 3000 / t.snapshots.length));
  };
  tick();
}
function stopPlay() {
  clearTimeout(playTimer);
  playTimer = null;
  $("nn-play").textContent = "▶";
}

function showSnapshot(i) {
  const t = state.train, s = t.snapshots[i];
  state.trainShown = i;
  $("nn-scrub").value = i;
  $("nn-epoch").textContent = `epoch ${s.epoch} of ${t.loss.length}`;
  drawBoundary(t, s);
  const e = Math.max(0, s.epoch - 1);
  lineChart($("nn-loss"), [{ ys: t.loss, color: COLORS[1] }], { log: true, upto: s.epoch - 1, cursor: e, x0: 1, xLabel: "epochs" });
  lineChart($("nn-grads"), t.grad_norms.map((ys, l) => ({ ys, color: COLORS[l % COLORS.length] })), { log: true, upto: s.epoch - 1, cursor: e, x0: 1, xLabel: "epochs" });
  const tb = $("nn-info").tBodies[0];
  tb.replaceChildren();
  const rows = [["epoch", s.epoch], ["loss (BCE)", fmt(s.loss)], ["accuracy", fmt(s.accuracy * 100, 3) + " %"]];
  t.layers.forEach((name, l) => rows.push([`${name}: ‖∂J/∂W‖, ‖W‖`, `${s.epoch ? fmt(t.grad_norms[l][s.epoch - 1], 3) : "–"}, ${fmt(s.weights[l], 3)}`]));
  for (const [k, v] of rows) {
    const tr = tb.insertRow();
    tr.insertCell().textContent = k;
    tr.insertCell().textContent = v;
  }
}

function drawBoundary(t, s) {
  const cv = $("boundary"), ctx = cv.getContext("2d"), W = cv.width, H = cv.height, n = t.grid;
  const img = new ImageData(n, n);
  const c0 = [44, 110, 210], c1 = [236, 120, 40];
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const p = s.probs[j * n + i], k = ((n - 1 - j) * n + i) * 4;
      const q = p === null ? 0.5 : p, w = Math.abs(q - 0.5) * 2 * 0.55;
      const c = q >= 0.5 ? c1 : c0;
      for (let ch = 0; ch < 3; ch++) img.data[k + ch] = Math.round(255 + (c[ch] - 255) * w);
      img.data[k + 3] = 255;
    }
  }
  const tmp = document.createElement("canvas");
  tmp.width = n; tmp.height = n;
  tmp.getContext("2d").putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  const cell = W / (n - 1);
  ctx.drawImage(tmp, -cell / 2, -cell / 2, W + cell, H + cell);
  ctx.strokeStyle = "#222";
  ctx.lineWidth = 2;
  ctx.beginPath();
  const gp = (p) => toPx(t.box, W, H, t.box.xmin + p[0] / (n - 1) * (t.box.xmax - t.box.xmin), t.box.ymin + p[1] / (n - 1) * (t.box.ymax - t.box.ymin));
  for (const [p, q] of contourSegments(s.probs, n, 0.5)) {
    const a = gp(p), b = gp(q);
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
  }
  ctx.stroke();
  for (let i = 0; i < t.x.length; i++) {
    const [px, py] = toPx(t.box, W, H, t.x[i], t.y[i]);
    ctx.beginPath();
    ctx.arc(px, py, 3.5, 0, 2 * Math.PI);
    ctx.fillStyle = t.label[i] ? "rgb(236,120,40)" : "rgb(44,110,210)";
    ctx.fill();
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 1;
    ctx.stroke();
  }
}

// ---------- start ----------

function switchView(view) {
  state.view = view;
  for (const b of document.querySelectorAll(".tab")) b.classList.toggle("active", b.dataset.view === view);
  $("view-function").hidden = view !== "function";
  $("view-network").hidden = view !== "network";
}

async function main() {
  for (const b of document.querySelectorAll(".tab")) b.onclick = () => switchView(b.dataset.view);
  try {
    const res = await fetch("/api/info");
    state.info = await res.json();
  } catch (e) {
    showError($("fn-error"), "The playground server does not answer: " + e.message);
    return;
  }
  setupFunctionView();
  setupNetworkView();
  state.ready = true;
}

main();
