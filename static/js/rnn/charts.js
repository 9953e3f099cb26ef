// Charts drawn from the API's numbers: bars (sensitivity over time), lines (c_t, h_t), heatmaps (gates).
// SVG for the few labelled marks, canvas for the dense gate heatmaps.
import { diverging, sequential } from "../lib/colors.js";
import { fit, fits, full, setNumber } from "../lib/numfmt.js";
import { s } from "../lib/dom.js";
import { Placer, SOFT } from "../lib/place.js";

// Drawn at the box's width in CSS px (1 unit = 1 px), so every label is TICK_PX on any screen; a chart is
// redrawn when its box changes width (redrawOnResize).
const H = 200, TICK_PX = 12, CHAR = 0.62 * TICK_PX, PAD = { r: 10, t: 16, b: 28 };
const VALUES_TOP = 26; // a chart with values over its marks: one label and its gap above the highest mark
const RING = 3.5;     // how much wider a mark is than the one it rings (markerRadii)
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

/** Where the x labels go: every step when they fit, else every k-th, and the last instead of the k-th before it
 * when the two would be closer than k (at 360 px "19" and "20" ran together as "1920"). */
export function xTicks(T, width) {
  const every = Math.max(1, Math.ceil(T / Math.max(1, Math.floor(width / (CHAR * String(T).length + 10)))));
  const ticks = Array.from({ length: T }, (_, i) => i).filter((i) => i % every === 0);
  if (ticks.at(-1) !== T - 1) ticks.splice(ticks.length > 1 ? -1 : ticks.length, ticks.length > 1 ? 1 : 0, T - 1);
  return ticks;
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
  const ticks = [...new Set(log ? [0, 2, 4, 6].map((k) => 10 ** (top - k)) : [0, max / 2, max])];   // all 0: one
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
  const top = showValues ? VALUES_TOP : PAD.t; // room for a value over the highest mark, inside the chart
  const iw = W - left - PAD.r - 20, ih = H - top - PAD.b;
  const x = (t) => left + 10 + (T === 1 ? iw / 2 : (t / (T - 1)) * iw);
  const y = (v) => top + ih - ((v - lo) / (hi - lo)) * ih;
  const place = new Placer({ x0: 0, y0: 0, x1: W, y1: H - 20 }); // not down on the steps' numbers
  for (const v of ticks) {
    svg.append(s("line", { x1: left, x2: W - PAD.r, y1: y(v), y2: y(v), class: v === 0 ? "axis" : "grid" }));
    place.line([[left, y(v)], [W - PAD.r, y(v)]], SOFT); // a label may sit on a faint line when nothing else is free
    // a value may reach over the axis, not over its numbers (their digits: a line's height less its leading)
    const b = tick(svg, left - 4, y(v) + 4, v, AXIS_CHARS).getBBox();
    place.box({ x0: b.x, y0: y(v) + 4 - 0.75 * TICK_PX, x1: b.x + b.width, y1: y(v) + 5 });
  }
  // the current step's line lies under the lines; its pieces are drawn once the values are placed, broken around
  // them (nowLine), so a value may sit on it and stay over or under its mark
  const now = s("g", { class: "now-line" });
  svg.append(now);
  const last = current >= 0 ? current : T - 1; // the lines grow with the player: later steps are not drawn yet
  const shown = (t) => t <= last && (T <= 40 || t === current);
  const radius = markerRadii(series, y, current);
  for (const sr of series) {
    const pts = sr.values.slice(0, last + 1).map((v, t) => [x(t), y(v)]);
    svg.append(s("polyline", { points: pts.map((p) => p.map((c) => c.toFixed(1)).join(",")).join(" "), class: `line ${sr.cls || ""}` }));
    place.line(pts);
  }
  // the marks after the lines, the widest first: a mark that coincides with another series' is a ring around it
  const marks = series.flatMap((sr, j) => sr.values.map((v, t) => ({ sr, v, t, r: radius[j][t] })).filter((m) => shown(m.t)));
  for (const m of marks.sort((a, b) => b.r - a.r)) {
    svg.append(s("circle", { cx: x(m.t), cy: y(m.v), r: m.r, class: `dot ${m.sr.cls || ""}` },
      [s("title", {}, `${m.sr.name}, t=${m.t + 1}: ${full(m.v)}`)]));
    place.box({ x0: x(m.t) - m.r - 1, y0: y(m.v) - m.r - 1, x1: x(m.t) + m.r + 1, y1: y(m.v) + m.r + 1 });
  }
  for (const t of xTicks(T, iw)) svg.append(s("text", { x: x(t), y: H - 8, class: "tick", "text-anchor": "middle" }, t + 1));
  const labels = [];
  if (showValues && T <= 12 && current >= 0) {
    const gap = T > 1 ? iw / (T - 1) : iw;
    const valueChars = Math.max(3, Math.floor((gap - 4) / CHAR));
    // the current step's values first (where room is short, an earlier step's give way), then from the first step on
    for (const t of [current, ...Array.from({ length: Math.max(0, current) }, (_, k) => k)]) {
      const r = Math.max(...radius.map((rs) => rs[t]));
      series.forEach((sr) => {
        const v = sr.values[t];
        if (!fits(v, valueChars, 3)) return;
        const placed = placeLabel(svg, place, x(t), y(v), r, v, valueChars, `val ${sr.cls || ""}`);
        if (!placed) return;
        placed.text.dataset.t = t;
        labels.push(placed.box);
      });
    }
  }
  if (current >= 0) nowLine(now, x(current), top, top + ih, labels);
  return svg;
}

/** The current step's vertical line from y0 to y1 at x, broken where it would run through a label's box. */
function nowLine(g, x, y0, y1, boxes) {
  const cuts = boxes.filter((b) => b.x0 - 1 < x && x < b.x1 + 1 && b.y0 < y1 && b.y1 > y0).sort((a, b) => a.y0 - b.y0);
  let from = y0;
  for (const b of [...cuts, { y0: y1 + 2, y1 }]) { // (the last piece ends at y1)
    if (b.y0 - 2 > from) g.append(s("line", { x1: x, x2: x, y1: from, y2: b.y0 - 2, class: "now" }));
    from = Math.max(from, b.y1 + 2);
  }
}

/**
 * Each mark's radius: 4.5 at the current step, 3 before. Where series meet (their marks would cover each other,
 * as c = h = 7), the earlier series' mark is drawn larger, a ring around the later one's, so both stay visible.
 */
function markerRadii(series, y, current) {
  return series.map((sr, j) => sr.values.map((v, t) => {
    const base = t === current ? 4.5 : 3;
    const under = series.slice(j + 1).filter((o) => Math.abs(y(o.values[t]) - y(v)) < 2 * base + 2).length;
    return base + RING * under;
  }));
}

/**
 * A value by its mark at (px, py) (radius r): over it, else under it, else beside it, a row further out each time,
 * wherever nothing crosses it (lib/place.js). Measured once drawn (its font decides its size), then moved to its spot: {text, box}.
 * A value with no free spot is left out (it is in the table and the mark's tooltip): better none than one
 * that cannot be read.
 */
function placeLabel(svg, place, px, py, r, value, chars, cls) {
  const text = tick(svg, 0, 0, value, chars, 3, "start", cls);
  const bb = text.getBBox();
  const w = bb.width || (text.firstChild?.textContent ?? "").length * CHAR, h = bb.height || TICK_PX * 1.2;
  const g = r + 4; // clear of the mark's stroke
  const box = (x0, y0) => ({ x0, y0, x1: x0 + w, y1: y0 + h });
  const centred = (y0) => box(Math.min(place.bounds.x1 - w, Math.max(place.bounds.x0, px - w / 2)), y0); // moved in from the sides
  const row = h + 5; // labels in rows keep apart (Placer keeps 3.5 around each)
  const spots = [];
  for (let k = 0; k < 3; k++) { // the nearest spots first, then a row further out
    // over and under the mark: centred on it, or ending or starting at its centre (it stays clearly its value)
    for (const y0 of [py - g - h - k * row, py + g + k * row]) spots.push(centred(y0), box(px - w, y0), box(px, y0));
    // beside it, further aside in each outer row: past the lines that leave the mark
    const side = g + 8 * k, mid = py - h / 2;
    spots.push(box(px + side, mid - k * row), box(px - side - w, mid - k * row), box(px + side, mid + k * row),
      box(px - side - w, mid + k * row));
  }
  const k = place.take(spots);
  if (k < 0) { text.remove(); return null; }
  text.setAttribute("x", (spots[k].x0 - (bb.x || 0)).toFixed(1));
  text.setAttribute("y", (spots[k].y0 - (bb.y || -TICK_PX)).toFixed(1));
  return { text, box: spots[k] };
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
