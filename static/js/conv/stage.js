// Pieces shared by the convolution and pooling stages: output cells that fill in step by step
// (touching only the cells between the old and the new position), tabs, number fields, sub-steps.
import { reducedMotion } from "../lib/player.js";
import { t } from "../lib/i18n.js";

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

/** Depth of a nested array: 2 for a matrix, 3 for (H, W, C), 4 for (kh, kw, C, F). */
export function depth(a) {
  let d = 0;
  while (Array.isArray(a)) { d += 1; a = a[0]; }
  return d;
}

export function caption(text) {
  const c = document.createElement("div");
  c.className = "cap";
  c.textContent = text;
  return c;
}
