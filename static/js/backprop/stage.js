// The /backprop stage: the forward pass beside the backward pass, drawn from the API's answer, and what one
// step of the chosen trace shows. Two kinds of steps (app/api/backprop_schemas.py):
// - conv steps (dL/dx as a full convolution, dL/dW, dL/db, the transposed convolution's gather): a window of
//   one grid times weights gives one cell of the result, which fills in;
// - stamp steps (pooling's backward pass, the transposed convolution's scatter): one number times weights is
//   added to the running totals under a window (trace/stage.js StampFill replays the API's totals).
// Every number drawn is one of the answer's (or the request's own input); JavaScript only places them.
import { sub } from "../lib/dom.js";
import { GridView } from "../lib/grid.js";
import { fmt, t } from "../lib/i18n.js";
import { maxAbsOf } from "../lib/matrix.js";
import { OutputFill, StampFill } from "../trace/stage.js";
import { Detail } from "./detail.js";

const $ = (id) => document.getElementById(id);
const SLOTS = ["f-x", "f-w", "f-y", "b-dy", "b-act", "b-dz", "b-src", "b-k", "b-out", "b-res"];
const MARKS = ["win", "now", "cur", "hit", "arg", "skip", "crop"];
/** x₁₂, a₀₁: a cell by its letter (x inputs, a outputs, as the lecture names them). */
const name = (v, i, j) => `${v}${sub(i)}${i > 9 || j > 9 ? "," : ""}${sub(j)}`;
const nulls = (m) => m.map((row) => row.map(() => null));
const cellKey = ([r, c]) => `${r},${c}`;
/** A flat window list as rows × cols (the window's width is how many of its cells share its first row). */
function square(list, window) {
  const cols = window.filter(([r]) => r === window[0][0]).length;
  return Array.from({ length: list.length / cols }, (_, a) => list.slice(a * cols, (a + 1) * cols));
}

export class BackpropStage {
  /** onJump(r, c): a cell of the grid the steps point at was picked. */
  constructor({ onJump }) {
    this.onJump = onJump;
    this.grids = {};
    this.key = null;
    this.scene = null;
    this.fill = null;
    this.detail = new Detail($("detail"));
  }

  // ---- the figures ---------------------------------------------------------------------------------------

  /** Show the figures of `slots` ({slot: caption key}); the grid of `index` is the one steps point into. */
  layout(key, slots, index, panes) {
    if (key !== this.key) {
      this.key = key;
      this.grids = {};
      for (const id of SLOTS) {
        const fig = $(id);
        fig.hidden = !(id in slots);
        const box = fig.querySelector(".grid-scroll");
        box.replaceChildren();
        if (!(id in slots)) continue;
        this.grids[id] = new GridView(box, { digits: 2, onCell: id === index ? (r, c) => this.onJump(r, c) : null });
      }
      this.detail.clear();
    }
    for (const [id, caption] of Object.entries(slots)) {
      const cap = $(id).querySelector("figcaption");
      cap.dataset.i18n = caption;
      cap.textContent = t(caption);
      this.grids[id].setLabel(t(caption));
    }
    [["pane-fwd-h", panes[0]], ["pane-bwd-h", panes[1]]].forEach(([id, k]) => { $(id).dataset.i18n = k; $(id).textContent = t(k); });
    Object.values(this.grids).forEach((g) => MARKS.forEach((cls) => g.mark(cls, [])));
  }

  /** Draw matrix m in a slot; pad(r, c): padding or an inserted zero; `also`: more values the cells must fit. */
  draw(id, m, { pad = () => false, maxAbs = maxAbsOf(m), also = [] } = {}) {
    const g = this.grids[id];
    g.fill(m, maxAbs, pad);
    g.fit([...m.flat(), ...also]);
    return g;
  }

  relabel() {
    for (const [id, g] of Object.entries(this.grids)) g.setLabel(t($(id).querySelector("figcaption").dataset.i18n));
    this.detail.relabel();
  }

  clear() {
    this.key = null;
    this.scene = null;
    for (const id of SLOTS) { $(id).hidden = true; $(id).querySelector(".grid-scroll").replaceChildren(); }
    this.grids = {};
    this.detail.clear();
  }

  // ---- a new answer, a step ----------------------------------------------------------------------------------

  build(data, req) {
    this.data = data;
    this.req = req;
    const make = { conv: convScene, max: poolScene, average: poolScene, transpose: req.view === "gather" ? gatherScene : scatterScene };
    this.scene = make[req.op](this, data, req);
    // the step's small grids are as wide as the longest number any step puts there (no jumps while stepping)
    const steps = this.scene.trace(data).steps;
    this.detail.parts.forEach((g, k) => g.fit(steps.flatMap((st) => flat([st[this.scene.detail[k]] ?? []]))));
  }

  trace(data) { return this.scene.trace(data); }
  outputs() { return [this.grids[this.scene.index]]; }
  place(index) { return this.scene.place ? this.scene.place(index) : [index[0], index[1], 0]; }
  makeFill(tr) { this.fill = this.scene.fill(tr); return this.fill; }
  fillRest() { this.scene.fillRest(); }
  facts(st) { return this.scene.facts(st); }

  step(st, i) {
    Object.values(this.grids).forEach((g) => ["win", "now", "hit", "arg", "skip"].forEach((cls) => g.mark(cls, [])));
    return this.scene.step(st, i);
  }

  /** A conv step: the window of `src` times the weights (shown in `weights`, in reading order) = products. */
  convStep(st, { src, weights = null, srcPad = () => false, inputMax, weightMax }) {
    const win = st.window, rows = st.inputs.length, cols = st.inputs[0].length, n = rows * cols;
    const [inputs, wts, prods] = this.detail.parts;
    const g = this.grids[src];
    g.mark("win", win);
    g.reveal(...win[win.length - 1]);
    g.reveal(...win[0]);
    inputs.fill(st.inputs, inputMax, (a, b) => srcPad(...win[a * cols + b]));
    if (wts) wts.fill(st.weights, weightMax);
    if (prods) prods.fill(nulls(st.products), 1);
    const pMax = st.products ? maxAbsOf(st.products) : 1;
    return {
      n,
      terms: (k) => k, // one term per product (dL/db: per number)
      draw: (k) => {
        const cell = [Math.floor((k - 1) / cols), (k - 1) % cols];
        if (prods) {
          for (let m = 0; m < n; m++) prods.set(Math.floor(m / cols), m % cols, m < k ? st.products[Math.floor(m / cols)][m % cols] : null, pMax);
        }
        g.mark("now", k > 0 && k < n ? [win[k - 1]] : []);
        if (weights) this.grids[weights].mark("now", k > 0 && k < n ? [cell] : []);
      },
      done: () => {},
    };
  }

  /** A stamp step: value × weights added to the running totals of `out` (this.fill replays them). */
  stampStep(st, i, { out, parts }) {
    const win = st.window, real = st.window.map((_, m) => m).filter((m) => flat(st.inputs)[m] !== null);
    const g = this.grids[out];
    g.mark("win", win);
    g.reveal(...win[win.length - 1]);
    g.reveal(...win[0]);
    const prods = parts.products;
    const shape = (list) => (Array.isArray(list[0]) ? list : square(list, win));
    const products = shape(st.products), cols = products[0].length, pMax = maxAbsOf(st.products);
    prods.fill(nulls(products), 1);
    return {
      n: real.length,
      terms: (k) => k, // one term per real cell
      draw: (k) => {
        this.fill.part(i, k);
        for (let m = 0; m < win.length; m++) {
          const a = Math.floor(m / cols), b = m % cols;
          prods.set(a, b, real.indexOf(m) >= 0 && real.indexOf(m) < k ? products[a][b] : null, pMax, { pad: products[a][b] === null });
        }
        g.mark("now", k > 0 && k < real.length ? [win[real[k - 1]]] : []);
        parts.now?.(k > 0 && k < real.length ? real[k - 1] : null);
      },
      done: () => {},
    };
  }
}

const flat = (v) => v.flat(Infinity);

// ---- convolution: dL/dx, dL/dW, dL/db -------------------------------------------------------------------

function convScene(S, data, req) {
  const view = req.view, linear = req.activation === "linear";
  const dz = linear ? "b-dy" : "b-dz";
  const slots = { "f-x": "bp.cap_x_padded", "f-w": "bp.cap_w", "f-y": "bp.cap_y", "b-dy": "bp.cap_dy" };
  if (!linear) Object.assign(slots, { "b-act": "bp.cap_act", "b-dz": "bp.cap_dz" });
  if (view === "grad_input") {
    Object.assign(slots, { "b-src": linear ? "bp.cap_dy_full" : "bp.cap_dz_full", "b-k": "bp.cap_w_flipped",
      "b-out": "bp.cap_dx_full", "b-res": "bp.cap_dx" });
  } else {
    slots["b-out"] = view === "grad_kernel" ? "bp.cap_dw" : "bp.cap_db";
  }
  S.layout(`conv/${view}/${linear}`, slots, "b-out", ["bp.pane_forward", "bp.pane_backward"]);
  const p = data.padding, xp = data.padded_input, hp = xp.length, wp = xp[0].length;
  const isPad = (r, c) => r < p.top || r >= hp - p.bottom || c < p.left || c >= wp - p.right;
  const xMax = maxAbsOf(xp), dzMax = maxAbsOf(data.grad_pre_activation);
  S.draw("f-x", xp, { pad: isPad });
  S.draw("f-w", req.kernel);
  S.draw("f-y", data.output);
  S.draw("b-dy", data.grad_output);
  if (!linear) {
    S.draw("b-act", data.activation_grad);
    S.draw("b-dz", data.grad_pre_activation);
  }
  const dzLabel = linear ? "bp.d_dy" : "bp.d_dz";
  const base = { trace: (d) => d[`${view}_trace`], index: "b-out" };

  if (view === "grad_input") {
    const tr = data.grad_input_trace, full = tr.full, mx = maxAbsOf(full);
    const dyAt = new Map(tr.grad_output_cells.flatMap((row, i) => row.map((cell, j) => [cellKey(cell), [i, j]])));
    const inserted = (r, c) => !dyAt.has(cellKey([r, c]));
    S.draw("b-src", tr.padded_grad_output, { pad: inserted });
    S.draw("b-k", tr.kernel);
    S.draw("b-out", nulls(full), { also: full.flat(), maxAbs: mx }).mark("crop", full.flatMap((row, r) => row.map((_, c) => [r, c])).filter(([r, c]) => isPad(r, c)));
    S.draw("b-res", nulls(data.grad_input), { also: data.grad_input.flat(), maxAbs: mx });
    S.detail.setup([{ label: "bp.d_window" }, { sign: "×" }, { label: "bp.d_flipped" }, { sign: "=" }, { label: "bp.d_products" }],
      tr.kernel.length, tr.kernel[0].length);
    return {
      ...base,
      detail: ["inputs", "weights", "products"],
      step(st) {
        const [r, c] = st.index;
        S.grids["f-x"].mark("cur", [[r, c]]);
        const hits = st.window.filter((cell) => dyAt.has(cellKey(cell))).map((cell) => dyAt.get(cellKey(cell)));
        ["b-dy", "f-y", ...(linear ? [] : ["b-act", "b-dz"])].forEach((id) => S.grids[id].mark("hit", hits));
        return S.convStep(st, { src: "b-src", weights: "b-k", srcPad: inserted, inputMax: dzMax, weightMax: maxAbsOf(tr.kernel) });
      },
      facts(st) {
        const [r, c] = st.index, v = fmt(st.value);
        return isPad(r, c) ? t("bp.fact_dx_crop", { r, c, v }) : t("bp.fact_dx", { cell: name("x", r - p.top, c - p.left), v });
      },
      fill(trace) {
        const f = new OutputFill();
        f.reset(trace.steps, (st) => {
          const [r, c] = st.index, cells = [[S.grids["b-out"], r, c]];
          if (!isPad(r, c)) cells.push([S.grids["b-res"], r - p.top, c - p.left]);
          return cells;
        }, mx);
        return f;
      },
      fillRest() {
        S.draw("b-out", full, { maxAbs: mx });
        S.draw("b-res", data.grad_input, { maxAbs: mx });
      },
    };
  }

  if (view === "grad_kernel") {
    const dW = data.grad_kernel, mx = maxAbsOf(dW);
    S.draw("b-out", nulls(dW), { also: dW.flat(), maxAbs: mx });
    const [oh, ow] = data.output_shape;
    S.detail.setup([{ label: "bp.d_x_met" }, { sign: "×" }, { label: dzLabel }, { sign: "=" }, { label: "bp.d_products" }], oh, ow);
    return {
      ...base,
      detail: ["inputs", "weights", "products"],
      step(st) {
        S.grids[dz].mark("hit", st.window.map((_, m) => [Math.floor(m / ow), m % ow]));
        return S.convStep(st, { src: "f-x", weights: dz, srcPad: isPad, inputMax: xMax, weightMax: dzMax });
      },
      facts: (st) => t("bp.fact_dw", { a: st.index[0], b: st.index[1], v: fmt(st.value) }),
      fill(trace) {
        const f = new OutputFill();
        f.reset(trace.steps, (st) => [S.grids["b-out"], st.index[0], st.index[1]], mx);
        return f;
      },
      fillRest: () => S.draw("b-out", dW, { maxAbs: mx }),
    };
  }

  const db = [data.grad_bias], mx = maxAbsOf(db);
  S.draw("b-out", nulls(db), { also: db.flat(), maxAbs: mx });
  S.detail.setup([{ label: dzLabel }], ...data.output_shape.slice(0, 2));
  return {
    ...base,
    detail: ["inputs"],
    place: ([f]) => [0, f, 0],
    step: (st) => S.convStep(st, { src: dz, inputMax: dzMax }),
    facts: (st) => t("bp.fact_db", { v: fmt(st.value) }),
    fill(trace) {
      const f = new OutputFill();
      f.reset(trace.steps, (st) => [S.grids["b-out"], 0, st.index[0]], mx);
      return f;
    },
    fillRest: () => S.draw("b-out", db, { maxAbs: mx }),
  };
}

// ---- pooling: each dL/dy goes back into its window --------------------------------------------------------

function poolScene(S, data, req) {
  const max = req.op === "max";
  S.layout("pool", { "f-x": "bp.cap_x_pool", "f-y": max ? "bp.cap_y_max" : "bp.cap_y_average", "b-dy": "bp.cap_dy",
    "b-out": "bp.cap_dx_pool" }, "b-dy", ["bp.pane_forward", "bp.pane_backward"]);
  const p = data.padding, x = req.input, dx = data.grad_input;
  const hp = x.length + p.top + p.bottom, wp = x[0].length + p.left + p.right; // the forward window's grid
  const inside = (r, c) => r >= p.top && r < p.top + x.length && c >= p.left && c < p.left + x[0].length;
  const padded = (m) => Array.from({ length: hp }, (_, r) => Array.from({ length: wp }, (_, c) => (inside(r, c) ? m[r - p.top][c - p.left] : null)));
  const isPad = (r, c) => !inside(r, c);
  S.draw("f-x", padded(x), { pad: isPad });
  S.draw("f-y", data.output);
  S.draw("b-dy", data.grad_output);
  const steps = data.steps, mx = maxAbsOf(dx);
  const totals = steps.flatMap((st) => [...st.inputs, ...st.totals]);
  S.draw("b-out", data.steps_truncated ? nulls(padded(dx)) : padded(dx), { pad: isPad, maxAbs: mx, also: totals });
  const win = steps[0]?.window ?? [[0, 0]];
  const shape = square(win, win);
  S.detail.setup([{ label: "bp.d_forward" }, { sign: "→" }, { label: "bp.d_local" }, { sign: "" }, { label: "bp.d_sent" }],
    shape.length, shape[0].length);
  const [fwd, local, sent] = S.detail.parts;
  const xMax = maxAbsOf(x);
  return {
    trace: (d) => d,
    index: "b-dy",
    detail: ["forward_inputs", "weights", "products"],
    step(st, i) {
      const [r, c] = st.index, w = st.window;
      S.grids["f-x"].mark("win", w);
      S.grids["f-y"].mark("hit", [[r, c]]);
      fwd.fill(square(st.forward_inputs, w), xMax, (a, b) => st.forward_inputs[a * shape[0].length + b] === null);
      fwd.mark("arg", []);
      local.fill(square(st.weights, w), 1, (a, b) => st.weights[a * shape[0].length + b] === null);
      S.detail.signs[1].textContent = `× ${fmt(st.value)} =`;
      if (st.argmax) {
        S.grids["f-x"].mark("arg", [st.argmax]);
        const m = w.findIndex(([a, b]) => a === st.argmax[0] && b === st.argmax[1]);
        fwd.mark("arg", [[Math.floor(m / shape[0].length), m % shape[0].length]]);
      }
      return S.stampStep(st, i, { out: "b-out", parts: { products: sent } });
    },
    facts(st) {
      const y = name("a", st.index[0], st.index[1]), v = fmt(st.value);
      if (st.argmax) return t("bp.fact_max", { y, v, x: name("x", st.argmax[0] - p.top, st.argmax[1] - p.left) });
      const share = st.products.find((q) => q !== null);
      return t("bp.fact_avg", { y, v, n: st.count, share: fmt(share) });
    },
    fill(trace) {
      const f = new StampFill();
      f.reset(trace.steps, (st, m) => [S.grids["b-out"], ...st.window[m]], mx);
      return f;
    },
    fillRest: () => S.draw("b-out", padded(dx), { pad: isPad, maxAbs: mx }),
  };
}

// ---- the transposed convolution: scatter (stamps) and gather (a convolution) -------------------------------

function scatterScene(S, data, req) {
  S.layout("transpose/scatter", { "f-x": "bp.cap_t_x", "f-w": "bp.cap_w", "b-out": "bp.cap_canvas", "b-res": "bp.cap_t_y" },
    "f-x", ["bp.pane_layer", "bp.pane_scatter"]);
  const tr = data.scatter, canvas = tr.canvas, crop = tr.crop, mx = maxAbsOf(canvas), out = data.output;
  const hc = canvas.length, wc = canvas[0].length;
  const cropped = (r, c) => r < crop.top || r >= hc - crop.bottom || c < crop.left || c >= wc - crop.right;
  S.draw("f-x", req.input);
  S.draw("f-w", req.kernel);
  const totals = tr.steps.flatMap((st) => [...st.inputs.flat(), ...st.totals.flat()]);
  S.draw("b-out", tr.steps_truncated ? nulls(canvas) : canvas, { maxAbs: mx, also: totals })
    .mark("crop", canvas.flatMap((row, r) => row.map((_, c) => [r, c])).filter(([r, c]) => cropped(r, c)));
  S.draw("b-res", nulls(out), { also: out.flat() });
  const kh = req.kernel.length, kw = req.kernel[0].length;
  S.detail.setup([{ label: "bp.d_kernel" }, { sign: "×" }, { label: "bp.d_stamp" }], kh, kw);
  const [wts, stamp] = S.detail.parts;
  const wMax = maxAbsOf(req.kernel);
  return {
    trace: (d) => d.scatter,
    index: "f-x",
    detail: ["weights", "products"],
    step(st, i) {
      wts.fill(st.weights, wMax);
      S.detail.signs[0].textContent = `× ${fmt(st.value)} =`;
      return S.stampStep(st, i, { out: "b-out", parts: { products: stamp,
        now: (m) => S.grids["f-w"].mark("now", m === null ? [] : [[Math.floor(m / kw), m % kw]]) } });
    },
    facts: (st) => t("bp.fact_scatter", { x: name("x", st.index[0], st.index[1]), v: fmt(st.value) }),
    fill(trace) {
      const stamps = new StampFill();
      stamps.reset(trace.steps, (st, m) => [S.grids["b-out"], ...st.window[m]], mx);
      const n = trace.steps.length, whole = !trace.steps_truncated;
      const output = (on) => S.draw("b-res", on ? out : nulls(out), { also: out.flat() });
      return {
        to(k) { stamps.to(k); output(whole && k >= n); },
        part(k, count) { stamps.part(k, count); output(false); },
      };
    },
    fillRest() {
      S.draw("b-out", canvas, { maxAbs: mx });
      S.draw("b-res", out);
    },
  };
}

function gatherScene(S, data, req) {
  S.layout("transpose/gather", { "f-x": "bp.cap_t_x", "f-w": "bp.cap_w", "b-src": "bp.cap_t_padded", "b-k": "bp.cap_w_flipped",
    "b-out": "bp.cap_t_y" }, "b-out", ["bp.pane_layer", "bp.pane_gather"]);
  const tr = data.gather, out = data.output, mx = maxAbsOf(out);
  const xAt = new Map(tr.input_cells.flatMap((row, i) => row.map((cell, j) => [cellKey(cell), [i, j]])));
  const inserted = (r, c) => !xAt.has(cellKey([r, c]));
  S.draw("f-x", req.input);
  S.draw("f-w", req.kernel);
  S.draw("b-src", tr.padded_input, { pad: inserted });
  S.draw("b-k", tr.kernel);
  S.draw("b-out", nulls(out), { also: out.flat(), maxAbs: mx });
  S.detail.setup([{ label: "bp.d_window" }, { sign: "×" }, { label: "bp.d_flipped" }, { sign: "=" }, { label: "bp.d_products" }],
    tr.kernel.length, tr.kernel[0].length);
  return {
    trace: (d) => d.gather,
    index: "b-out",
    detail: ["inputs", "weights", "products"],
    step(st) {
      S.grids["f-x"].mark("hit", st.window.filter((cell) => xAt.has(cellKey(cell))).map((cell) => xAt.get(cellKey(cell))));
      return S.convStep(st, { src: "b-src", weights: "b-k", srcPad: inserted, inputMax: maxAbsOf(tr.padded_input), weightMax: maxAbsOf(tr.kernel) });
    },
    facts: (st) => t("bp.fact_gather", { y: name("y", st.index[0], st.index[1]), v: fmt(st.value) }),
    fill(trace) {
      const f = new OutputFill();
      f.reset(trace.steps, (st) => [S.grids["b-out"], st.index[0], st.index[1]], mx);
      return f;
    },
    fillRest: () => S.draw("b-out", out, { maxAbs: mx }),
  };
}
