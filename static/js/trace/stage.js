// Pieces shared by the convolution and pooling stages: output cells that fill in step by step
// (touching only the cells between the old and the new position), sub-steps, grids per channel, tabs,
// number fields.
import { h } from "../lib/dom.js";
import { GridView } from "../lib/grid.js";
import { t } from "../lib/i18n.js";
import { reducedMotion } from "../lib/player.js";

/** Fill output cells of steps [0, n) and clear the rest, changing only what differs from before. */
export class OutputFill {
  constructor() { this.filled = 0; this.steps = []; this.cellOf = () => null; this.maxAbs = 1; }

  reset(steps, cellOf, maxAbs) {
    this.steps = steps;
    this.cellOf = cellOf; // step -> [grid, r, c]
    this.maxAbs = maxAbs;
    this.filled = 0;
  }

  to(n) {
    n = Math.max(0, Math.min(this.steps.length, n));
    for (let k = this.filled; k < n; k++) {
      const [grid, r, c] = this.cellOf(this.steps[k]);
      grid.set(r, c, this.steps[k].value, this.maxAbs);
    }
    for (let k = n; k < this.filled; k++) {
      const [grid, r, c] = this.cellOf(this.steps[k]);
      grid.set(r, c, null);
    }
    this.filled = n;
  }
}

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
 * rebuilt only when their number changes. options(k): GridView options of grid k.
 */
export function gridsIn(box, grids, n, options = () => ({})) {
  if (grids.length === n) return grids;
  box.replaceChildren();
  return Array.from({ length: n }, (_, k) => {
    const scroll = h("div", { class: "grid-scroll" });
    box.append(h("div", { class: "chan" }, [h("div", { class: "cap" }), scroll]));
    return new GridView(scroll, options(k));
  });
}

/** Name each grid: `one` when it is alone, else each(k) (also shown as its caption). */
export function labelGrids(grids, one, each) {
  grids.forEach((g, k) => {
    const label = grids.length > 1 ? each(k) : one;
    g.root.parentElement.previousSibling.textContent = grids.length > 1 ? label : "";
    g.setLabel(label);
  });
}
