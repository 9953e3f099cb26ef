// Charts drawn from the API's numbers: bars (sensitivity over time), lines (c_t, h_t), heatmaps (gates).
// SVG for the few labelled marks, canvas for the dense gate heatmaps.
import { diverging, sequential } from "../lib/colors.js";
import { fmt } from "../lib/i18n.js";
import { s } from "../lib/dom.js";

const W = 560, H = 200, PAD = { l: 46, r: 10, t: 14, b: 28 };

function frame(container, label) {
  container.replaceChildren();
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": label });
  container.append(svg);
  return svg;
}

const xTicks = (T) => {
  const every = Math.ceil(T / 12);
  return Array.from({ length: T }, (_, i) => i).filter((i) => i % every === 0 || i === T - 1);
};

/**
 * Bars over t. values: numbers ≥ 0. options: {label, current, log, onPick(t)}.
 * With log, the axis spans 6 decades below the largest value; smaller bars sit on the floor.
 */
export function barChart(container, values, { label = "", current = -1, log = false, onPick = null } = {}) {
  const svg = frame(container, label);
  const T = values.length, iw = W - PAD.l - PAD.r, ih = H - PAD.t - PAD.b;
  const max = Math.max(...values, 0);
  const top = log ? Math.log10(max || 1) : 1, floor = top - 6;
  const y = (v) => {
    if (max <= 0) return 0;
    if (!log) return (v / max) * ih;
    return v <= 0 ? 0 : Math.max(0, (Math.log10(v) - floor) / (top - floor)) * ih;
  };
  const bw = iw / T;
  const ticks = log ? [0, 2, 4, 6].map((k) => 10 ** (top - k)) : [0, max / 2, max];
  for (const v of ticks) {
    const yy = PAD.t + ih - y(v);
    svg.append(s("line", { x1: PAD.l, x2: W - PAD.r, y1: yy, y2: yy, class: "grid" }),
      s("text", { x: PAD.l - 4, y: yy + 4, class: "tick", "text-anchor": "end" }, fmt(v, 3)));
  }
  values.forEach((v, t) => {
    const bh = y(v);
    const bar = s("rect", { x: PAD.l + t * bw + bw * 0.12, y: PAD.t + ih - bh, width: Math.max(1, bw * 0.76),
      height: Math.max(bh, 0.5), class: t === current ? "bar current" : "bar", "data-t": t }, [s("title", {}, `t=${t + 1}: ${fmt(v)}`)]);
    if (onPick) bar.addEventListener("click", () => onPick(t));
    svg.append(bar);
    if (T <= 12) {
      svg.append(s("text", { x: PAD.l + (t + 0.5) * bw, y: PAD.t + ih - bh - 3, class: "val", "text-anchor": "middle" },
        fmt(v, 3)));
    }
  });
  for (const t of xTicks(T)) {
    svg.append(s("text", { x: PAD.l + (t + 0.5) * bw, y: H - 8, class: "tick", "text-anchor": "middle" }, t + 1));
  }
  return svg;
}

/** Lines over t up to `current` (all with -1). series: [{name, values, cls}]; options: {label, current, showValues}. */
export function linePlot(container, series, { label = "", current = -1, showValues = false } = {}) {
  const svg = frame(container, label);
  const T = series[0]?.values.length || 0;
  if (!T) return svg;
  const all = series.flatMap((sr) => sr.values);
  let lo = Math.min(0, ...all), hi = Math.max(0, ...all);
  if (hi - lo < 1e-9) { hi += 1; lo -= 1; }
  const iw = W - PAD.l - PAD.r, ih = H - PAD.t - PAD.b;
  const x = (t) => PAD.l + (T === 1 ? iw / 2 : (t / (T - 1)) * iw);
  const y = (v) => PAD.t + ih - ((v - lo) / (hi - lo)) * ih;
  for (const v of [lo, 0, hi]) {
    svg.append(s("line", { x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v), class: v === 0 ? "axis" : "grid" }),
      s("text", { x: PAD.l - 4, y: y(v) + 4, class: "tick", "text-anchor": "end" }, fmt(v, 3)));
  }
  if (current >= 0) svg.append(s("line", { x1: x(current), x2: x(current), y1: PAD.t, y2: PAD.t + ih, class: "now" }));
  const last = current >= 0 ? current : T - 1; // the lines grow with the player: later steps are not drawn yet
  for (const sr of series) {
    const pts = sr.values.slice(0, last + 1).map((v, t) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    svg.append(s("polyline", { points: pts, class: `line ${sr.cls || ""}` }));
    sr.values.forEach((v, t) => {
      if (t > last || (T > 40 && t !== current)) return;
      svg.append(s("circle", { cx: x(t), cy: y(v), r: t === current ? 4.5 : 3, class: `dot ${sr.cls || ""}` },
        [s("title", {}, `${sr.name}, t=${t + 1}: ${fmt(v)}`)]));
      if (showValues && T <= 12 && t <= current) {
        svg.append(s("text", { x: x(t), y: y(v) - 7, class: `val ${sr.cls || ""}`, "text-anchor": "middle" }, fmt(v, 3)));
      }
    });
  }
  for (const t of xTicks(T)) svg.append(s("text", { x: x(t), y: H - 8, class: "tick", "text-anchor": "middle" }, t + 1));
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
