// Charts drawn from the API's numbers: bars (sensitivity over time), lines (c_t, h_t), heatmaps (gates).
// SVG for the few labelled marks, canvas for the dense gate heatmaps.
import { diverging, sequential } from "../lib/colors.js";
import { fit, fits, full, setNumber } from "../lib/numfmt.js";
import { s } from "../lib/dom.js";

// Drawn at the box's width in CSS px (1 unit = 1 px), so every label is TICK_PX on any screen; a chart is
// redrawn when its box changes width (redrawOnResize).
const H = 200, TICK_PX = 12, CHAR = 0.62 * TICK_PX, PAD = { r: 10, t: 16, b: 28 };
const drawn = new WeakMap(); // box -> the last drawing, to redraw at a new width
const resizer = new ResizeObserver((entries) => {
  for (const e of entries) {
    const last = drawn.get(e.target);
    if (last && Math.abs(e.contentRect.width - last.width) > 4) last.draw();
  }
});

function frame(container, label, draw) {
  const W = Math.max(260, Math.floor(container.clientWidth || 560));
  if (!drawn.has(container)) resizer.observe(container);
  drawn.set(container, { width: W, draw });
  container.replaceChildren();
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: "chart", role: "img", "aria-label": label });
  container.append(svg);
  return { svg, W };
}

/** A tick label: the number by the rule (lib/numfmt.js), its full value in a <title>. */
function tick(svg, x, y, value, chars, digits = 4, anchor = "end", cls = "tick") {
  const text = s("text", { x, y, class: cls, "text-anchor": anchor });
  setNumber(text, value, { chars, digits });
  svg.append(text);
  return text;
}

/** A value over a mark (a bar, a dot), centred on it but moved in where it would run past the chart's edge. */
function valueLabel(svg, W, x, y, value, chars, cls) {
  const text = tick(svg, x, y, value, chars, 3, "middle", cls);
  const half = (text.firstChild?.textContent ?? text.textContent).length * CHAR / 2 + 2;
  text.setAttribute("x", Math.min(W - half, Math.max(half, x)));
  return text;
}

/** Where the x labels go: every step when they fit, else every k-th (and the last). */
function xTicks(T, width) {
  const every = Math.max(1, Math.ceil(T / Math.max(1, Math.floor(width / (CHAR * String(T).length + 10)))));
  return Array.from({ length: T }, (_, i) => i).filter((i) => i % every === 0 || i === T - 1);
}

const AXIS_CHARS = 8; // y labels: "0.00968", "9.68e-7"

/**
 * Bars over t. values: numbers ≥ 0. options: {label, current, log, onPick(t)}.
 * With log, the axis spans 6 decades below the largest value; smaller bars sit on the floor.
 */
export function barChart(container, values, options = {}) {
  const { label = "", current = -1, log = false, onPick = null } = options;
  const { svg, W } = frame(container, label, () => barChart(container, values, options));
  const T = values.length;
  const max = Math.max(...values, 0);
  const top = log ? Math.log10(max || 1) : 1, floor = top - 6;
  const ticks = log ? [0, 2, 4, 6].map((k) => 10 ** (top - k)) : [0, max / 2, max];
  const texts = ticks.map((v) => fit(v, AXIS_CHARS, 6));
  const left = Math.ceil(Math.max(...texts.map((x) => x.length)) * CHAR) + 8;
  const iw = W - left - PAD.r, ih = H - PAD.t - PAD.b;
  const y = (v) => {
    if (max <= 0) return 0;
    if (!log) return (v / max) * ih;
    return v <= 0 ? 0 : Math.max(0, (Math.log10(v) - floor) / (top - floor)) * ih;
  };
  const bw = iw / T;
  for (const v of ticks) {
    const yy = PAD.t + ih - y(v);
    svg.append(s("line", { x1: left, x2: W - PAD.r, y1: yy, y2: yy, class: "grid" }));
    tick(svg, left - 4, yy + 4, v, AXIS_CHARS, 6);
  }
  const valueChars = Math.floor((bw - 2) / CHAR);
  values.forEach((v, t) => {
    const bh = y(v);
    const bar = s("rect", { x: left + t * bw + bw * 0.12, y: PAD.t + ih - bh, width: Math.max(1, bw * 0.76),
      height: Math.max(bh, 0.5), class: t === current ? "bar current" : "bar", "data-t": t }, [s("title", {}, `t=${t + 1}: ${full(v)}`)]);
    if (onPick) bar.addEventListener("click", () => onPick(t));
    svg.append(bar);
    if (valueChars >= 1 && fits(v, valueChars, 3)) valueLabel(svg, W, left + (t + 0.5) * bw, PAD.t + ih - bh - 3, v, valueChars, "val");
  });
  for (const t of xTicks(T, iw)) {
    svg.append(s("text", { x: left + (t + 0.5) * bw, y: H - 8, class: "tick", "text-anchor": "middle" }, t + 1));
  }
  return svg;
}

/** Lines over t up to `current` (all with -1). series: [{name, values, cls}]; options: {label, current, showValues}. */
export function linePlot(container, series, options = {}) {
  const { label = "", current = -1, showValues = false } = options;
  const { svg, W } = frame(container, label, () => linePlot(container, series, options));
  const T = series[0]?.values.length || 0;
  if (!T) return svg;
  const all = series.flatMap((sr) => sr.values);
  let lo = Math.min(0, ...all), hi = Math.max(0, ...all);
  if (hi - lo < 1e-9) { hi += 1; lo -= 1; }
  const ticks = [...new Set([lo, 0, hi])];
  const left = Math.ceil(Math.max(...ticks.map((v) => fit(v, AXIS_CHARS).length)) * CHAR) + 8;
  const iw = W - left - PAD.r - 20, ih = H - PAD.t - PAD.b;
  const x = (t) => left + 10 + (T === 1 ? iw / 2 : (t / (T - 1)) * iw);
  const y = (v) => PAD.t + ih - ((v - lo) / (hi - lo)) * ih;
  for (const v of ticks) {
    svg.append(s("line", { x1: left, x2: W - PAD.r, y1: y(v), y2: y(v), class: v === 0 ? "axis" : "grid" }));
    tick(svg, left - 4, y(v) + 4, v, AXIS_CHARS);
  }
  if (current >= 0) svg.append(s("line", { x1: x(current), x2: x(current), y1: PAD.t, y2: PAD.t + ih, class: "now" }));
  const last = current >= 0 ? current : T - 1; // the lines grow with the player: later steps are not drawn yet
  const gap = T > 1 ? iw / (T - 1) : iw;
  const valueChars = Math.max(3, Math.floor((gap - 4) / CHAR));
  for (const sr of series) {
    const pts = sr.values.slice(0, last + 1).map((v, t) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    svg.append(s("polyline", { points: pts, class: `line ${sr.cls || ""}` }));
    sr.values.forEach((v, t) => {
      if (t > last || (T > 40 && t !== current)) return;
      svg.append(s("circle", { cx: x(t), cy: y(v), r: t === current ? 4.5 : 3, class: `dot ${sr.cls || ""}` },
        [s("title", {}, `${sr.name}, t=${t + 1}: ${full(v)}`)]));
      if (showValues && T <= 12 && t <= current && fits(v, valueChars, 3)) {
        valueLabel(svg, W, x(t), y(v) - 7, v, valueChars, `val ${sr.cls || ""}`);
      }
    });
  }
  for (const t of xTicks(T, iw)) svg.append(s("text", { x: x(t), y: H - 8, class: "tick", "text-anchor": "middle" }, t + 1));
  return svg;
}

/**
 * A heatmap on a canvas: rows (units) × T columns. scale "seq" (0..1 gates) or "div" (signed).
 * Columns after `upto` are drawn faint (not yet computed in the animation); `current` is outlined.
 */
export function heatmap(canvas, rows, { scale = "seq", current = -1, upto = Infinity } = {}) {
  const R = rows.length, T = rows[0]?.length || 0;
  const cw = Math.max(6, Math.min(28, Math.floor(540 / Math.max(T, 1)))), ch = Math.max(6, Math.min(20, Math.floor(120 / R)));
  const dpr = window.devicePixelRatio || 1;
  canvas.width = T * cw * dpr;
  canvas.height = R * ch * dpr;
  canvas.style.width = `${T * cw}px`;
  canvas.style.height = `${R * ch}px`;
  const g = canvas.getContext("2d");
  g.scale(dpr, dpr);
  const maxAbs = Math.max(1e-9, ...rows.flat().map(Math.abs));
  rows.forEach((row, r) => row.forEach((v, t) => {
    g.fillStyle = t > upto ? "#eeeeee" : scale === "seq" ? sequential(v) : diverging(v, maxAbs);
    g.fillRect(t * cw, r * ch, cw - 1, ch - 1);
  }));
  if (current >= 0) {
    g.strokeStyle = "#7b3294";
    g.lineWidth = 2;
    g.strokeRect(current * cw + 1, 1, cw - 2, R * ch - 2);
  }
  canvas.dataset.cw = cw;
}
