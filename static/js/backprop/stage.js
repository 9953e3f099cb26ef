// The /backprop stage: the forward pass beside the backward pass, drawn from the API's answer, and what one
// step of the chosen trace shows. Two kinds of steps (app/api/backprop_schemas.py):
// - conv steps (dL/dx as a full convolution, dL/dW, dL/db, the transposed convolution's gather): a window of
//   one grid times weights gives one cell of the result, which fills in;
// - stamp steps (pooling's backward pass, the transposed convolution's scatter): one number times weights is
//   added to the running totals under a window (trace/stage.js StampFill replays the API's totals).
// Every number drawn is one of the answer's (or the request's own input); JavaScript only places them. The scenes
// (conv.js, pool.js, transpose.js) say which figures show what for each layer and trace.
import { GridView } from "../lib/grid.js";
import { t } from "../lib/i18n.js";
import { maxAbsOf } from "../lib/matrix.js";
import { flat, nulls, square } from "./cells.js";
import { convScene } from "./conv.js";
import { Detail } from "./detail.js";
import { poolScene } from "./pool.js";
import { gatherScene, scatterScene } from "./transpose.js";

const $ = (id) => document.getElementById(id);
const SLOTS = ["f-x", "f-w", "f-y", "b-dy", "b-act", "b-dz", "b-src", "b-k", "b-out", "b-res"];
const MARKS = ["win", "now", "cur", "hit", "arg", "skip", "crop"];

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
