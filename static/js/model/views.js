// One layer's output, drawn from the API's numbers: (H, W, C) as one map per channel, a small (T, F) as a table of
// numbers, a short vector as bars, anything larger as one canvas of cells (a long vector wrapped into rows).
// Any value can be picked with the pointer or the keyboard (arrows, [ ] between maps, Enter) to open its trace.
import { announce, t } from "../lib/i18n.js";
import { textOn } from "../lib/colors.js";
import { h } from "../lib/dom.js";
import { num, showNumber } from "./num.js";
import { css, paintCells, scaleFor } from "./paint.js";

const TABLE_MAX_CELLS = 400, TABLE_MAX_COLS = 16;
const BARS_MAX = 64;
const STRIP_COLS = 32;
export const MAPS_MAX = 256;   // channels drawn; the rest are named in the caption

export const indexText = (index) => `[${index.join(", ")}]`;

/** How a tensor is drawn: its mode and, for canvas modes, the canvases' grids and the index of each cell. */
export function layout(shape) {
  const size = shape.reduce((a, b) => a * b, 1);
  if (shape.length === 3) {
    const [hh, ww, c] = shape;
    return { mode: "maps", count: Math.min(c, MAPS_MAX), h: hh, w: ww,
      toIndex: (f, i, j) => [i, j, f], fromIndex: ([i, j, f]) => [f, i, j] };
  }
  if (shape.length === 2 && size <= TABLE_MAX_CELLS && shape[1] <= TABLE_MAX_COLS) return { mode: "table" };
  if (shape.length === 2) {
    return { mode: "heat", count: 1, h: shape[0], w: shape[1], toIndex: (f, i, j) => [i, j], fromIndex: ([i, j]) => [0, i, j] };
  }
  if (shape.length === 1 && size <= BARS_MAX) return { mode: "bars" };
  // a long vector, or a rank the other modes do not cover: the values in reading order, STRIP_COLS a row
  const w = Math.min(STRIP_COLS, size);
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  return { mode: "strip", count: 1, h: Math.ceil(size / w), w,
    toIndex: (f, i, j) => { const k = i * w + j; return k < size ? strides.map((s, a) => Math.floor(k / s) % shape[a]) : null; },
    fromIndex: (index) => { const k = index.reduce((s, v, a) => s + v * strides[a], 0); return [0, Math.floor(k / w), k % w]; } };
}

export class LayerView {
  /** root: the container; onPick(index): open a value's trace; label(index, v): a value's accessible name. */
  constructor(root, { onPick = () => {}, label = (index, v) => `${indexText(index)} = ${num(v)}` } = {}) {
    Object.assign(this, { root, onPick, label });
    this.tensor = null;
    this.cell = null;
  }

  /** Draw a tensor ({name, shape, values, min, max, at}); cell: the index to put the cursor on, or null. */
  show(tensor, cell = null) {
    this.tensor = tensor;
    this.root.replaceChildren();
    this.items = null;
    this.canvases = null;
    if (!tensor.values) {
      this.root.append(h("p", { class: "muted" }, t("model.layers.too_big", { n: tensor.size.toLocaleString("en") })));
      this.cell = null;
      return;
    }
    this.scale = scaleFor(tensor.min, tensor.max);
    this.lay = layout(tensor.shape);
    this.valueLine = h("p", { class: "value-line small", "aria-hidden": "true" });
    const build = { maps: () => this.buildCanvases(), heat: () => this.buildCanvases(), strip: () => this.buildCanvases(),
      table: () => this.buildTable(), bars: () => this.buildBars() }[this.lay.mode];
    build();
    this.root.append(this.valueLine);
    this.moveTo(tensor.contains(cell) ? cell : null);
  }

  // ---- canvases (maps, heat, strip) -------------------------------------------------------------------
  buildCanvases() {
    const { mode, count, h: hh, w } = this.lay;
    const box = h("div", { class: `maps mode-${mode}` });
    const side = mode === "maps" ? Math.max(56, Math.min(120, w * 4)) : null;
    if (side) box.style.setProperty("--map-size", `${side}px`);
    if (mode !== "maps") {
      const cellPx = Math.max(6, Math.min(28, Math.floor(560 / w)));
      box.style.setProperty("--map-w", `${w * cellPx}px`);
      box.style.setProperty("--map-ratio", `${w} / ${hh}`);
    }
    this.canvases = [];
    for (let f = 0; f < count; f++) {
      const canvas = h("canvas", { class: "pixelated", tabindex: "-1", role: "img", dataset: { f: String(f) },
        "aria-label": t("model.layers.map_label", { name: this.tensor.name, f, c: count }) });
      paintCells(canvas, hh, w, (i, j) => { const index = this.lay.toIndex(f, i, j); return index ? this.tensor.at(index) : undefined; }, this.scale);
      canvas.addEventListener("click", (e) => {
        const r = canvas.getBoundingClientRect();
        const i = Math.min(hh - 1, Math.floor(((e.clientY - r.top) / r.height) * hh));
        const j = Math.min(w - 1, Math.floor(((e.clientX - r.left) / r.width) * w));
        const index = this.lay.toIndex(f, i, j);
        if (!index) return;
        this.moveTo(index);
        this.onPick(index);
      });
      canvas.addEventListener("keydown", (e) => this.canvasKey(e, f));
      const frame = h("div", { class: "frame" }, [canvas]);
      const fig = h("figure", { class: mode === "maps" ? "map" : "map wide" }, [frame]);
      if (mode === "maps") fig.append(h("figcaption", {}, String(f)));
      box.append(fig);
      this.canvases.push(canvas);
    }
    this.root.append(box);
  }

  canvasKey(e, f) {
    const { h: hh, w, count } = this.lay;
    const [, i, j] = this.cell ? this.lay.fromIndex(this.cell) : [f, 0, 0];
    const moves = { ArrowUp: [f, i - 1, j], ArrowDown: [f, i + 1, j], ArrowLeft: [f, i, j - 1], ArrowRight: [f, i, j + 1],
      "[": [f - 1, i, j], PageUp: [f - 1, i, j], "]": [f + 1, i, j], PageDown: [f + 1, i, j] };
    if (moves[e.key]) {
      e.preventDefault();
      e.stopPropagation();
      const [a, b, c] = moves[e.key];
      const clamp = (v, n) => Math.max(0, Math.min(n - 1, v));
      let index = this.lay.toIndex(clamp(a, count), clamp(b, hh), clamp(c, w));
      if (!index) index = this.lay.toIndex(0, Math.floor((this.tensor.size - 1) / w), (this.tensor.size - 1) % w);
      this.moveTo(index, true);
      announce(this.label(index, this.tensor.at(index)));
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      e.stopPropagation();
      const index = this.cell || this.lay.toIndex(f, 0, 0);
      this.moveTo(index);
      this.onPick(index);
    }
  }

  // ---- a table of numbers (small (T, F)) -------------------------------------------------------------
  buildTable() {
    const [rows, cols] = this.tensor.shape;
    const table = h("table", { class: "numbers out-table", role: "grid" });
    table.append(h("tr", {}, [h("th", { class: "corner" }, ""), ...Array.from({ length: cols }, (_, c) => h("th", { scope: "col" }, String(c)))]));
    this.items = new Map();
    for (let r = 0; r < rows; r++) {
      const tr = h("tr", {}, [h("th", { scope: "row" }, String(r))]);
      for (let c = 0; c < cols; c++) {
        const v = this.tensor.at([r, c]);
        const td = h("td", { role: "gridcell", tabindex: "-1" });
        showNumber(td, v);
        td.style.background = css(v, this.scale);
        td.style.color = textOn(td.style.background); // black or white, whichever contrasts more
        td.setAttribute("aria-label", this.label([r, c], v));
        td.addEventListener("click", () => { this.moveTo([r, c]); this.onPick([r, c]); });
        tr.append(td);
        this.items.set(`${r},${c}`, td);
      }
      table.append(tr);
    }
    table.addEventListener("keydown", (e) => this.listKey(e, rows, cols));
    this.root.append(h("div", { class: "scroll-x", "data-scroll-cue": "" }, [table]));
  }

  // ---- bars (a short vector) -----------------------------------------------------------------------------
  buildBars() {
    const n = this.tensor.shape[0];
    // one value has nothing to be compared with: no bar (its length would be the value over itself, always
    // full or half) and no "largest"; just the number, which opens its trace as a bar does
    const one = n === 1;
    const list = h("ol", { class: `vbars${this.scale.signed ? " signed" : ""}${one ? " one" : ""}`, start: "0" });
    this.items = new Map();
    let top = 0;
    for (let k = 1; k < n; k++) if (this.tensor.at([k]) > this.tensor.at([top])) top = k;
    for (let k = 0; k < n; k++) {
      const v = this.tensor.at([k]);
      const fill = h("span", { class: v < 0 ? "fill neg" : "fill" });
      const share = Math.min(1, Math.abs(v) / this.scale.max) * (this.scale.signed ? 50 : 100);
      fill.style.width = `${share}%`;
      if (this.scale.signed) fill.style[v < 0 ? "right" : "left"] = "50%";
      const value = h("span", { class: "value" });
      showNumber(value, v);
      // named by what it shows ("3 0.9981"; the exact value in the title), as the accessibility rules want
      const button = h("button", { type: "button", class: k === top && !one ? "vbar top" : "vbar", tabindex: "-1", title: String(v) }, [
        h("span", { class: "label" }, String(k)), " ", one ? null : h("span", { class: "track", "aria-hidden": "true" }, [fill]),
        value]);
      button.addEventListener("click", () => { this.moveTo([k]); this.onPick([k]); });
      list.append(h("li", {}, [button]));
      this.items.set(String(k), button);
    }
    list.addEventListener("keydown", (e) => this.listKey(e, n, 1));
    this.root.append(list);
  }

  listKey(e, rows, cols) {
    const [r, c] = this.cell ? (this.cell.length === 2 ? this.cell : [this.cell[0], 0]) : [0, 0];
    const moves = { ArrowUp: [r - 1, c], ArrowDown: [r + 1, c], ArrowLeft: [r, c - 1], ArrowRight: [r, c + 1],
      Home: [0, c], End: [rows - 1, c] };
    if (moves[e.key]) {
      e.preventDefault();
      e.stopPropagation();
      const [a, b] = moves[e.key];
      const index = cols === 1 && this.lay.mode === "bars" ? [Math.max(0, Math.min(rows - 1, a))]
        : [Math.max(0, Math.min(rows - 1, a)), Math.max(0, Math.min(cols - 1, b))];
      this.moveTo(index, true);
    } else if ((e.key === "Enter" || e.key === " ") && this.lay.mode === "table") {
      e.preventDefault();
      e.stopPropagation();
      this.onPick(this.cell || [0, 0]);
    }
  }

  // ---- the cursor --------------------------------------------------------------------------------------
  /** Put the cursor (and the keyboard's focus stop) on an index; null: the first value, without a cursor. */
  moveTo(index, focus = false) {
    this.cell = index && this.tensor?.contains(index) ? index : null;
    const shown = this.cell;
    this.root.querySelectorAll(".cursor").forEach((c) => c.remove());
    this.root.querySelectorAll(".picked").forEach((c) => c.classList.remove("picked"));
    if (!this.tensor?.values) return;
    const first = this.lay.mode === "bars" ? [0] : this.lay.mode === "table" ? [0, 0] : this.lay.toIndex(0, 0, 0);
    const at = shown || first;
    this.valueLine.textContent = shown ? `${this.tensor.name} ${indexText(shown)} = ${num(this.tensor.at(shown))}` : "";
    if (this.items) {
      const key = this.lay.mode === "bars" ? String(at[0]) : `${at[0]},${at[1]}`;
      for (const el of this.items.values()) el.tabIndex = -1;
      const el = this.items.get(key);
      if (el) {
        el.tabIndex = 0;
        if (shown) el.classList.add("picked");
        if (focus) el.focus();
      }
      return;
    }
    const [f, i, j] = this.lay.fromIndex(at);
    this.canvases.forEach((c, k) => c.setAttribute("tabindex", k === f ? "0" : "-1"));
    const canvas = this.canvases[f];
    if (!canvas) return;
    canvas.setAttribute("aria-label", this.label(at, this.tensor.at(at)));
    if (focus) canvas.focus();
    if (!shown) return;
    const cursor = h("div", { class: "cursor" });
    const { h: hh, w } = this.lay;
    Object.assign(cursor.style, { top: `${(i / hh) * 100}%`, left: `${(j / w) * 100}%`, height: `${100 / hh}%`, width: `${100 / w}%` });
    canvas.parentElement.append(cursor);
  }

  /** Relabel after a language switch. */
  relabel() {
    if (!this.tensor?.values) return;
    if (this.items) {
      for (const [key, el] of this.items) {
        const index = key.split(",").map(Number);
        el.setAttribute("aria-label", this.label(index, this.tensor.at(index)));
      }
    }
    this.moveTo(this.cell);
  }
}
