// Feature maps of every conv (after its ReLU) and pooling layer, one layer at a time; a cell can be
// picked with the pointer or the keyboard (arrows, [ ], Enter) to open its trace.
import { announce, fmt, t } from "../lib/i18n.js";
import { h as el } from "../lib/dom.js";
import { paintMap } from "./paint.js";

export class Maps {
  constructor({ buttons, caption, grid, empty, onPick = () => {}, onLayer = () => {} }) {
    Object.assign(this, { buttons, caption, grid, empty, onPick, onLayer });
    this.layers = [];
    this.layer = null;
    this.cell = null; // [i, j, f] under the cursor
    this.kernels = {}; // conv layer name -> kernel size, from the model card
  }

  setArchitecture(architecture) {
    for (const row of architecture || []) if (row.kind === "conv2d") this.kernels[row.name] = row.spec.kernel_size?.[0];
  }

  /** acts: the page's decoded activations (render.js activation()), or null when nothing is drawn. */
  update(acts, wanted = this.layer) {
    this.layers = [];
    for (let k = 0; k < (acts || []).length; k++) {
      const a = acts[k];
      if (a.kind === "conv2d") {
        const shown = acts[k + 1]?.kind === "relu" ? acts[k + 1] : a;
        this.layers.push({ name: a.name, kind: a.kind, act: shown });
      } else if (a.kind === "maxpool2d") {
        this.layers.push({ name: a.name, kind: a.kind, act: a });
      }
    }
    this.empty.hidden = this.layers.length > 0;
    const names = this.layers.map((l) => l.name);
    this.layer = names.includes(wanted) ? wanted : names[0] || wanted;
    this.renderButtons();
    this.renderGrid();
  }

  get current() { return this.layers.find((l) => l.name === this.layer); }

  select(name) {
    if (name === this.layer) return;
    this.layer = name;
    this.cell = null;
    this.renderButtons();
    this.renderGrid();
    this.onLayer(name);
  }

  renderButtons() {
    // The same layers as before (every new prediction): keep the buttons, so a tap landing while the page
    // updates is not lost on a button that was just replaced.
    const names = this.layers.map((l) => l.name);
    const current = [...this.buttons.children].map((b) => b.dataset.layer);
    if (names.length !== current.length || names.some((name, k) => name !== current[k])) {
      this.buttons.replaceChildren();
      for (const name of names) {
        const b = el("button", { type: "button", dataset: { layer: name } }, name);
        b.addEventListener("click", () => this.select(name));
        this.buttons.appendChild(b);
      }
    }
    for (const b of this.buttons.children) b.setAttribute("aria-pressed", String(b.dataset.layer === this.layer));
  }

  renderCaption() {
    const l = this.current;
    if (!l) { this.caption.textContent = ""; return; }
    const [h, w, n] = l.act.shape;
    const key = l.kind === "conv2d" ? "draw.maps.caption_conv" : "draw.maps.caption_pool";
    this.caption.textContent = t(key, { name: l.name, n, k: this.kernels[l.name] ?? "?", h, w, max: fmt(l.act.max, 3) });
  }

  renderGrid() {
    this.renderCaption();
    const l = this.current;
    if (!l) {
      this.grid.replaceChildren();
      this.canvases = [];
      this.gridKey = null;
      return;
    }
    const [h, w, n] = l.act.shape;
    if (this.cell && (this.cell[0] >= h || this.cell[1] >= w || this.cell[2] >= n)) this.cell = null;
    const key = `${l.name} ${h}×${w}×${n}`;
    if (key !== this.gridKey) this.buildGrid(key, h, w, n);
    // Repaint in place: each new prediction redraws the same canvases, so a tap in the middle of an update
    // still reaches its canvas (replacing them lost such taps).
    this.canvases.forEach((canvas, f) => {
      paintMap(canvas, h, w, (i, j) => l.act.at(i, j, f), { max: l.act.max, palette: "seq" });
      canvas.setAttribute("aria-label", t("draw.maps.map_label", { name: l.name, f }));
    });
    this.placeCursor();
  }

  buildGrid(key, h, w, n) {
    this.gridKey = key;
    this.grid.replaceChildren();
    const side = Math.max(48, Math.min(96, w * 3));
    this.grid.style.setProperty("--map-size", `${side}px`);
    this.canvases = [];
    for (let f = 0; f < n; f++) {
      const fig = el("figure", { class: "map" });
      const frame = el("div", { class: "frame" });
      const canvas = el("canvas", { class: "pixelated", tabindex: "-1", role: "img", dataset: { f: String(f) } });
      canvas.addEventListener("click", (e) => {
        const l = this.current;   // read when tapped: the canvas outlives the prediction it was built for
        if (!l) return;
        const [ch, cw] = l.act.shape;
        const r = canvas.getBoundingClientRect();
        const i = Math.min(ch - 1, Math.floor(((e.clientY - r.top) / r.height) * ch));
        const j = Math.min(cw - 1, Math.floor(((e.clientX - r.left) / r.width) * cw));
        this.moveTo([i, j, f]);
        this.onPick(l.name, this.cell);
      });
      canvas.addEventListener("keydown", (e) => this.key(e));
      frame.appendChild(canvas);
      fig.append(frame, el("figcaption", {}, String(f)));
      this.grid.appendChild(fig);
      this.canvases.push(canvas);
    }
  }

  /** Move the cursor (and the keyboard focus stop) to cell [i, j, f]. */
  moveTo(cell, focus = false) {
    const shape = this.current?.act.shape;
    const ok = Array.isArray(cell) && cell.length === 3 && shape && cell.every((v, k) => Number.isInteger(v) && v >= 0 && v < shape[k]);
    this.cell = ok ? cell : null;
    this.placeCursor();
    if (focus) this.canvases[cell[2]]?.focus();
  }

  placeCursor() {
    this.grid.querySelectorAll(".cursor").forEach((c) => c.remove());
    const l = this.current;
    if (!l || !this.canvases?.length) return;
    const [h, w] = l.act.shape;
    const [i, j, f] = this.cell || [0, 0, 0];
    this.canvases.forEach((c, k) => c.setAttribute("tabindex", k === f ? "0" : "-1"));
    const canvas = this.canvases[f];
    canvas.setAttribute("aria-label", t("draw.maps.cell_label", { name: l.name, f, i, j, v: fmt(l.act.at(i, j, f), 4) }));
    if (!this.cell) return;
    const cursor = el("div", { class: "cursor" });
    cursor.style.top = `${(i / h) * 100}%`;
    cursor.style.left = `${(j / w) * 100}%`;
    cursor.style.height = `${100 / h}%`;
    cursor.style.width = `${100 / w}%`;
    canvas.parentElement.appendChild(cursor);
  }

  key(e) {
    const l = this.current;
    if (!l) return;
    const [h, w, n] = l.act.shape;
    const [i, j, f] = this.cell || [0, 0, Number(e.target.dataset.f)];
    const moves = {
      ArrowUp: [i - 1, j, f], ArrowDown: [i + 1, j, f], ArrowLeft: [i, j - 1, f], ArrowRight: [i, j + 1, f],
      "[": [i, j, f - 1], PageUp: [i, j, f - 1], "]": [i, j, f + 1], PageDown: [i, j, f + 1],
    };
    if (moves[e.key]) {
      e.preventDefault();
      const [a, b, c] = moves[e.key];
      const next = [Math.max(0, Math.min(h - 1, a)), Math.max(0, Math.min(w - 1, b)), Math.max(0, Math.min(n - 1, c))];
      this.moveTo(next, true);
      announce(t("draw.maps.cell_label", { name: l.name, f: next[2], i: next[0], j: next[1], v: fmt(l.act.at(...next), 4) }));
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      if (!this.cell) this.moveTo([i, j, f]);
      this.onPick(l.name, this.cell);
    }
  }
}
