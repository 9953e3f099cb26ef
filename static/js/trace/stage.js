// Pieces shared by the convolution, pooling and backprop stages: output cells that fill in step by step
// (touching only the cells between the old and the new position), running totals that a scatter trace adds
// up, sub-steps, grids per channel, tabs, number fields.
import { h, reducedMotion } from "../lib/dom.js";
import { GridView } from "../lib/grid.js";
import { t } from "../lib/i18n.js";
import { markScrollSides } from "../lib/scroll.js";

/** Fill output cells of steps [0, n) and clear the rest, changing only what differs from before. */
export class OutputFill {
  constructor() { this.filled = 0; this.steps = []; this.cellOf = () => null; this.maxAbs = 1; }

  reset(steps, cellOf, maxAbs) {
    this.steps = steps;
    this.cellOf = cellOf; // step -> [grid, r, c], or a list of them (the value shown in several grids)
    this.maxAbs = maxAbs;
    this.filled = 0;
  }

  cells(step) {
    const at = this.cellOf(step);
    return !at ? [] : Array.isArray(at[0]) ? at : [at];
  }

  to(n) {
    n = Math.max(0, Math.min(this.steps.length, n));
    for (let k = this.filled; k < n; k++) {
      for (const [grid, r, c] of this.cells(this.steps[k])) grid.set(r, c, this.steps[k].value, this.maxAbs);
    }
    for (let k = n; k < this.filled; k++) {
      for (const [grid, r, c] of this.cells(this.steps[k])) grid.set(r, c, null);
    }
    this.filled = n;
  }
}

/**
 * The running totals of a scatter trace (a step adds `products` to the cells of its `window`; the API gives
 * each cell's total before, `inputs`, and after, `totals`; null for a padding cell): steps [0, n) done, and
 * part of the next one. Going forward writes each step's `totals`, going back its `inputs`, so any step can
 * be reached from any other by touching only the cells in between. Nothing is added up here.
 */
export class StampFill {
  /** steps; cellOf(step, m) -> [grid, r, c] of window cell m (or null: not drawn); untouched(): the cells no
   *  step reaches are drawn by the caller. */
  reset(steps, cellOf, maxAbs) {
    Object.assign(this, { steps, cellOf, maxAbs, filled: 0, partial: null });
    const first = new Map(); // a cell's value before any step: the `inputs` of the first step that reaches it
    steps.forEach((st, k) => this.each(k, (m, at) => {
      const id = at.join(",");
      if (!first.has(id)) first.set(id, [at, flat(st.inputs)[m]]);
    }));
    for (const [[grid, r, c], v] of first.values()) grid.set(r, c, v, maxAbs);
  }

  /** fn(m, [grid, r, c]) for each drawn, real cell m of step k's window. */
  each(k, fn) {
    const st = this.steps[k], before = flat(st.inputs);
    st.window.forEach((_, m) => {
      const at = before[m] === null ? null : this.cellOf(st, m);
      if (at) fn(m, at);
    });
  }

  write(k, field, count = Infinity) {
    const values = flat(this.steps[k][field]);
    let seen = 0;
    this.each(k, (m, [grid, r, c]) => { if (seen++ < count) grid.set(r, c, values[m], this.maxAbs); });
  }

  undoPart() {
    if (this.partial) this.write(this.partial.k, "inputs", this.partial.count);
    this.partial = null;
  }

  to(n) {
    this.undoPart();
    n = Math.max(0, Math.min(this.steps.length, n));
    for (let k = this.filled; k < n; k++) this.write(k, "totals");
    for (let k = this.filled - 1; k >= n; k--) this.write(k, "inputs");
    this.filled = n;
  }

  /** Steps [0, k) done and the first `count` real cells of step k. */
  part(k, count) {
    this.to(k);
    this.write(k, "totals", count);
    this.partial = { k, count };
  }
}

const flat = (v) => (Array.isArray(v) ? v.flat(Infinity) : [v]);

/** One cancellable timer for the sub-steps inside a step (products appearing one by one). */
export class SubSteps {
  constructor() { this.timer = null; }
  cancel() { clearTimeout(this.timer); this.timer = null; }

  /** Call draw(k) for k = 1..n spread over `budget` ms, then done(); all at once when motion is reduced. */
  run(n, budget, draw, done) {
    this.cancel();
    if (reducedMotion() || budget < 250 || n <= 1) { draw(n); done(); return; }
    const delay = (budget * 0.75) / (n + 1);
    let k = 0;
    const tick = () => {
      k += 1;
      draw(k);
      if (k >= n) { this.timer = setTimeout(done, delay); return; }
      this.timer = setTimeout(tick, delay);
    };
    draw(0);
    this.timer = setTimeout(tick, delay);
  }
}

/** Buttons with aria-pressed for picking one of n (channels, filters). */
export function renderTabs(box, n, active, labelKey, onPick) {
  box.hidden = n <= 1;
  box.setAttribute("role", "group");
  box.onPick = onPick;
  if (box.children.length !== n) { // rebuilt only when the count changes, so focus stays on a clicked tab
    box.replaceChildren();
    for (let i = 0; i < n; i++) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "tab";
      b.addEventListener("click", () => box.onPick(i));
      box.append(b);
    }
  }
  [...box.children].forEach((b, i) => {
    b.textContent = t(labelKey, { n: i + 1 });
    b.setAttribute("aria-pressed", String(i === active));
  });
}

/** An integer from a number field, clamped to its min/max. */
export function intField(el, fallback = 1) {
  const v = Math.round(Number(el.value));
  const lo = Number(el.min || -Infinity), hi = Number(el.max || Infinity);
  return Number.isFinite(v) ? Math.max(lo, Math.min(hi, v)) : fallback;
}

/** int or [a, b] -> [a, b]. */
export const pair = (v, d = 1) => (Array.isArray(v) ? [Number(v[0]), Number(v[1])] : [Number(v ?? d), Number(v ?? d)]);

/**
 * The GridViews of one figure, one per channel or filter, each in a captioned scrolling box inside `box`;
 * rebuilt only when their number changes. options(k): GridView options of grid k. A grid larger than its box
 * says so (scrollCue): its box fades out on each side that has more to scroll to, and a line under it tells.
 */
export function gridsIn(box, grids, n, options = () => ({})) {
  if (grids.length === n) return grids;
  box.replaceChildren();
  return Array.from({ length: n }, (_, k) => {
    const scroll = h("div", { class: "grid-scroll" });
    box.append(h("div", { class: "chan" }, [h("div", { class: "cap" }), scroll, h("p", { class: "scroll-hint", hidden: true })]));
    const grid = new GridView(scroll, options(k));
    scroll.addEventListener("scroll", () => scrollCue(scroll), { passive: true });
    sizes.observe(scroll);
    sizes.observe(grid.root); // the grid's own size changes with its shape and its numbers' width
    return grid;
  });
}

const sizes = new ResizeObserver((entries) => {
  new Set(entries.map((e) => e.target.closest(".grid-scroll"))).forEach((scroll) => scroll && scrollCue(scroll));
});

/**
 * Mark a grid's scrolling box with the sides it can scroll to (classes more-left, more-right, more-up,
 * more-down: conv.css fades those edges) and show the hint under it while anything is out of view.
 */
export function scrollCue(scroll) {
  const { x, y } = markScrollSides(scroll);
  const hint = scroll.nextElementSibling;
  if (!hint?.classList.contains("scroll-hint")) return;
  hint.hidden = !(x || y);
  const key = x ? "conv.scroll_hint" : "conv.scroll_hint_y";
  if (hint.dataset.i18n !== key) { hint.dataset.i18n = key; hint.textContent = t(key); } // relabelled by a language switch
}

/** Name each grid: `one` when it is alone, else each(k) (also shown as its caption). */
export function labelGrids(grids, one, each) {
  grids.forEach((g, k) => {
    const label = grids.length > 1 ? each(k) : one;
    g.root.parentElement.previousSibling.textContent = grids.length > 1 ? label : "";
    g.setLabel(label);
  });
}
