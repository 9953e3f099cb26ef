// The activation functions page: every curve, value and slope comes from POST /api/activations; this module only
// draws them. A point on the curve is dragged with the pointer or moved with the arrow keys (it is a slider);
// each new x is sent to the API and the readout shows its answer. hard_sigmoid shows Keras 2 and Keras 3
// overlaid. softmax takes a vector: its values, the Jacobian's diagonal and the whole Jacobian, from the API.
import { latest } from "../lib/api.js";
import { h, s } from "../lib/dom.js";
import { onLangChange, t } from "../lib/i18n.js";
import { limits } from "../lib/limits.js";
import { readState, writeState } from "../lib/url.js";
import { HARD, Placer, SOFT } from "../lib/place.js";

const $ = (id) => document.getElementById(id);
const NAMES = ["sigmoid", "tanh", "relu", "linear", "hard_sigmoid", "softmax"];
const X_MIN = -6, X_MAX = 6;
const GRID = Array.from({ length: 241 }, (_, k) => (k * 5 - 600) / 100);   // -6, -5.95, ..., 6: the curve's x
const Y_RANGE = { sigmoid: [-0.2, 1.2], hard_sigmoid: [-0.2, 1.2], tanh: [-1.25, 1.25], relu: [-1, 6.5], linear: [-6.5, 6.5] };
const Y_TICKS = { sigmoid: [0, 0.5, 1], hard_sigmoid: [0, 0.5, 1], tanh: [-1, 0, 1], relu: [0, 2, 4, 6], linear: [-6, -3, 0, 3, 6] };
const COLOR = { 2: "#1f3a5f", 3: "#e66101" };   // Keras 2 (and every other function), Keras 3: curves and dots
const TEXT = { 2: "#1f3a5f", 3: "#b35000" };    // their words: the orange darkened to 5.2:1 on white (#e66101 is 3.5:1)
const IRNN = { inputs: [[1, 1], [2, 1], [1, 3]], units: 2, activation: "relu", kernel: [[1, 1], [1, 1]],
  recurrent_kernel: [[1, 0], [0, 1]], use_bias: false };
const MAX_SOFTMAX = limits.activations?.max_softmax ?? 64;

const defaults = { fn: "sigmoid", x: 1, v: [2, 1, 0.1] };
const state = readState(defaults);
if (!NAMES.includes(state.fn)) state.fn = defaults.fn;
state.x = clampX(Number(state.x));
if (!Array.isArray(state.v) || !state.v.length || state.v.length > MAX_SOFTMAX || !state.v.every(Number.isFinite)) state.v = defaults.v;

const fetchers = { 2: latest(), 3: latest(), curve2: latest(), curve3: latest(), softmax: latest() };
let curves = {};          // keras -> API answer for GRID
let point = {};           // keras -> API answer for [x]
let drawn = null;         // the plot's scales, for the pointer

function clampX(x) {
  if (!Number.isFinite(x)) return defaults.x;
  return Math.min(X_MAX, Math.max(X_MIN, Math.round(x * 100) / 100));
}

const forms = () => (state.fn === "hard_sigmoid" ? [2, 3] : [2]);

/** A number from the API as shown: up to 6 significant digits (the whole value in the title). */
function short(v) {
  if (v === 0) return "0";
  if (Math.abs(v) >= 1e-4 && Math.abs(v) < 1e7) return String(Number(v.toPrecision(6)));
  return v.toExponential(3).replace("e+", "e");
}

const exact = (v) => Number(short(v)) === v;
const num = (v) => h("span", { class: "num", title: String(v) }, short(v));
/** "= 0.7" or "≈ 0.916667" (when the shown digits round the API's number). */
const eq = (v) => [exact(v) ? " = " : " ≈ ", num(v)];
const numText = (v) => (exact(v) ? "= " : "≈ ") + short(v);   // "= 0.5" or "≈ 0.761594": the templates have no "="

// ---- the API ---------------------------------------------------------------------------------------------

async function loadCurves() {
  const answers = await Promise.all(forms().map((k) => fetchers[`curve${k}`]("/api/activations", { name: state.fn, x: GRID, keras: k })));
  if (answers.some((r) => r.aborted)) return;
  const bad = answers.find((r) => !r.ok);
  if (bad) return showError(bad.error);
  curves = Object.fromEntries(answers.map((r, i) => [forms()[i], r.data]));
  draw();
}

async function loadPoint() {
  const x = state.x;
  const answers = await Promise.all(forms().map((k) => fetchers[k]("/api/activations", { name: state.fn, x: [x], keras: k })));
  if (answers.some((r) => r.aborted)) return;
  const bad = answers.find((r) => !r.ok);
  if (bad) return showError(bad.error);
  point = Object.fromEntries(answers.map((r, i) => [forms()[i], r.data]));
  draw();
  readout();
  $("app").removeAttribute("aria-busy");
}

function showError(error) {
  $("readout").replaceChildren(h("p", { class: "error" }, t("act.error", { rule: error?.rule ?? error?.message ?? "" })));
  $("app").removeAttribute("aria-busy");
}

// ---- the plot --------------------------------------------------------------------------------------------

function draw() {
  const svg = $("plot");
  const W = Math.max(240, Math.round($("plot-box").clientWidth));
  const H = Math.round(Math.min(420, Math.max(280, W * 0.6)));
  const m = { l: 44, r: 14, t: 14, b: 40 };
  const [y0, y1] = Y_RANGE[state.fn] || [-1, 1];
  const X = (x) => m.l + ((x - X_MIN) / (X_MAX - X_MIN)) * (W - m.l - m.r);
  const Y = (y) => m.t + (1 - (y - y0) / (y1 - y0)) * (H - m.t - m.b);
  drawn = { W, m, X };
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("width", W);
  svg.setAttribute("height", H);
  const parts = [s("rect", { class: "plot-area", x: m.l, y: m.t, width: W - m.l - m.r, height: H - m.t - m.b })];
  for (let x = X_MIN; x <= X_MAX; x += 2) {
    parts.push(s("line", { class: "grid", x1: X(x), x2: X(x), y1: m.t, y2: H - m.b }));
    parts.push(s("text", { class: "tick", x: X(x), y: H - m.b + 18, "text-anchor": "middle" }, String(x)));
  }
  for (const y of Y_TICKS[state.fn] || []) {
    parts.push(s("line", { class: y === 0 ? "axis" : "grid", x1: m.l, x2: W - m.r, y1: Y(y), y2: Y(y) }));
    parts.push(s("text", { class: "tick", x: m.l - 6, y: Y(y) + 4, "text-anchor": "end" }, String(y)));
  }
  parts.push(s("line", { class: "axis", x1: X(0), x2: X(0), y1: m.t, y2: H - m.b }));
  parts.push(s("text", { class: "axis-label", x: W - m.r, y: H - 4, "text-anchor": "end" }, t("act.x_label")));
  const clip = (y) => Math.min(y1, Math.max(y0, y));
  for (const k of forms()) {
    const c = curves[k];
    if (!c) continue;
    const line = (ys) => c.x.map((x, i) => `${X(x).toFixed(1)},${Y(clip(ys[i])).toFixed(1)}`).join(" ");
    parts.push(s("polyline", { class: "curve", points: line(c.y), stroke: COLOR[k], dataset: { keras: k, kind: "f" } }));
    parts.push(s("polyline", { class: "curve slope", points: line(c.dy), stroke: COLOR[k], dataset: { keras: k, kind: "df" } }));
  }
  const handle = s("g", { class: "handle", id: "handle", tabindex: 0, role: "slider", "aria-valuemin": X_MIN,
    "aria-valuemax": X_MAX, "aria-valuenow": state.x, "aria-label": t("act.slider", { name: state.fn }),
    "aria-valuetext": valueText() });
  const px = X(state.x);
  handle.append(s("line", { class: "guide", x1: px, x2: px, y1: m.t, y2: H - m.b }));
  for (const k of forms()) {
    const p = point[k];
    if (!p || p.x[0] !== state.x) continue;
    const py = Y(clip(p.y[0])), slope = p.dy[0];
    // the tangent: through (x, f(x)) with the API's slope, one unit of x each side
    handle.append(s("line", { class: "tangent", x1: X(state.x - 1), y1: Y(clip(p.y[0] - slope)), x2: X(state.x + 1),
      y2: Y(clip(p.y[0] + slope)), stroke: COLOR[k] }));
    handle.append(s("circle", { class: "ring", cx: px, cy: py, r: 14 }));
    handle.append(s("circle", { class: "dot", cx: px, cy: py, r: 8, fill: COLOR[k], dataset: { keras: k } }));
  }
  const focused = document.activeElement?.id === "handle";
  svg.replaceChildren(...parts, handle);
  if (focused) handle.focus({ preventScroll: true });
  if (state.fn === "hard_sigmoid") nameCurves(svg, X, Y, { x0: m.l + 2, y0: m.t + 2, x1: W - m.r - 2, y1: H - m.b - 2 });
  handle.addEventListener("keydown", onKey);
  legend();
}

// Where hard_sigmoid's two names may sit: by a point of their own curve (x), Keras 2's over and left of its curve
// (the steeper, upper one), Keras 3's under and right of its own; the first spot of each list is where they sit
// when nothing is in the way.
const NAME_AT = { 2: [2.5, 4.5, 2.2, 1.8, 1.5, 4, 5, 5.5, 3.5, 1, 0.5, 0, -0.5, -1, -1.5],
  3: [3.6, 4.8, 4.2, 5.5, 2.5, 2, 1.5, 1, 3.3, 0.5, 0, -0.5, -1] };

/**
 * hard_sigmoid's curves named in the plot where no line (curves, slopes, the point's guide and tangent), point or
 * the other name crosses them (lib/place.js), so they stay readable at any x: the point and its lines move with x.
 */
function nameCurves(svg, X, Y, bounds) {
  const place = new Placer(bounds);
  const xy = (p) => [p.x, p.y];
  for (const el of svg.querySelectorAll("polyline")) place.line([...el.points].map(xy));
  for (const el of svg.querySelectorAll("line")) {
    const faint = el.classList.contains("grid") || el.classList.contains("axis");
    place.line([[el.x1.baseVal.value, el.y1.baseVal.value], [el.x2.baseVal.value, el.y2.baseVal.value]], faint ? SOFT : HARD);
  }
  for (const el of svg.querySelectorAll("circle")) place.circle(el.cx.baseVal.value, el.cy.baseVal.value, el.r.baseVal.value + 2);
  for (const k of forms()) {
    const c = curves[k];
    if (!c) continue;
    const name = s("text", { class: "curve-label", x: 0, y: 0, fill: TEXT[k] }, t(`act.keras${k}`));
    svg.append(name);
    const bb = name.getBBox(), w = bb.width, h = bb.height;
    const box = (x0, y0) => ({ x0, y0, x1: x0 + w, y1: y0 + h });
    const centred = (px, y0) => box(Math.min(bounds.x1 - w, Math.max(bounds.x0, px - w / 2)), y0); // moved in from the sides
    const at = (a) => [X(a), Y(c.y[Math.round((a - X_MIN) * 20)])];
    const over = ([px, py]) => [box(px + 6, py - 6 - h), box(px - 6 - w, py - 6 - h), centred(px, py - 8 - h),
      centred(px, py - 12 - 2 * h)];
    const under = ([px, py]) => [box(px + 6, py + 6), box(px - 6 - w, py + 6), centred(px, py + 8), centred(px, py + 12 + h)];
    // its own side of the curves first; the other side when the point and its lines leave no room there
    const spots = [...NAME_AT[k].flatMap((a) => (k === 2 ? over : under)(at(a))),
      ...NAME_AT[k].flatMap((a) => (k === 2 ? under : over)(at(a)))];
    const best = place.take(spots);
    if (best < 0) { name.remove(); continue; } // the legend names both curves too
    name.setAttribute("x", (spots[best].x0 - bb.x).toFixed(1));
    name.setAttribute("y", (spots[best].y0 - bb.y).toFixed(1));
  }
}

function legend() {
  const items = [];
  for (const k of forms()) {
    const name = state.fn === "hard_sigmoid" ? t(`act.keras${k}_long`) : state.fn;
    items.push(h("span", { class: "key" }, [h("span", { class: `swatch-line k${k}` }), `${name}: ${t("act.curve")}`]));
    items.push(h("span", { class: "key" }, [h("span", { class: `swatch-line dashed k${k}` }),
      `${state.fn === "hard_sigmoid" ? t(`act.keras${k}`) + ": " : ""}${t("act.slope")}`]));
  }
  $("legend").replaceChildren(...items);
  const c = curves[2];
  const form = (k) => (state.fn === "hard_sigmoid" ? `${t(`act.keras${k}`)}: ` : "");
  $("formula").textContent = c ? forms().map((k) => `${form(k)}${state.fn}(x) = ${curves[k]?.formula ?? ""};  `
    + `f′(x) = ${curves[k]?.derivative ?? ""}`).join("\n") : "";
}

function valueText() {
  const p2 = point[2], p3 = point[3];
  if (!p2 || p2.x[0] !== state.x) return `x = ${state.x}`;
  if (state.fn === "hard_sigmoid" && p3) {
    return t("act.value_text_hs", { x: numText(p2.x[0]), y2: numText(p2.y[0]), dy2: numText(p2.dy[0]),
      y3: numText(p3.y[0]), dy3: numText(p3.dy[0]) });
  }
  return t("act.value_text", { x: numText(p2.x[0]), y: numText(p2.y[0]), dy: numText(p2.dy[0]) });
}

function readout() {
  const rows = forms().filter((k) => point[k]).map((k) => {
    const p = point[k];
    return h("div", { class: "read-row", dataset: { keras: k } }, [
      state.fn === "hard_sigmoid" ? h("span", { class: `read-form k${k}` }, t(`act.keras${k}`)) : null,
      h("span", { class: "read-item" }, ["x", h("span", { class: "rx" }, eq(p.x[0]))]),
      h("span", { class: "read-item" }, [t("act.f"), h("span", { class: "ry" }, eq(p.y[0]))]),
      h("span", { class: "read-item" }, [t("act.df"), h("span", { class: "rdy" }, eq(p.dy[0]))]),
    ]);
  });
  $("readout").replaceChildren(...rows);
  const kinks = forms().filter((k) => point[k]?.kinks.includes(state.x));
  $("kink-note").hidden = !kinks.length;
  $("kink-note").textContent = kinks.map((k) => t(state.fn === "hard_sigmoid" ? `act.kink.hard_sigmoid_${k}` : `act.kink.${state.fn}`)).join(" ");
}

// ---- moving the point ------------------------------------------------------------------------------------

function moveTo(x) {
  const next = clampX(x);
  if (next === state.x && point[2]?.x[0] === next) return;
  state.x = next;
  $("app").setAttribute("aria-busy", "true");
  save();
  draw();
  loadPoint();
}

function onKey(e) {
  const big = e.shiftKey ? 1 : 0.1;
  const moves = { ArrowRight: big, ArrowUp: big, ArrowLeft: -big, ArrowDown: -big, PageUp: 1, PageDown: -1 };
  if (e.key in moves) moveTo(state.x + moves[e.key]);
  else if (e.key === "Home") moveTo(X_MIN);
  else if (e.key === "End") moveTo(X_MAX);
  else return;
  e.preventDefault();
}

function fromPointer(e) {
  if (!drawn) return null;
  const box = $("plot").getBoundingClientRect();
  const px = ((e.clientX - box.left) / box.width) * drawn.W;
  const x = X_MIN + ((px - drawn.m.l) / (drawn.W - drawn.m.l - drawn.m.r)) * (X_MAX - X_MIN);
  return Math.round(x * 20) / 20;   // steps of 0.05 under the pointer
}

const svg = $("plot");
let dragging = false;
svg.addEventListener("pointerdown", (e) => {
  const x = fromPointer(e);
  if (x === null) return;
  dragging = true;
  svg.setPointerCapture(e.pointerId);
  e.preventDefault();
  moveTo(x);
  $("handle")?.focus({ preventScroll: true });   // (a plain focus scrolled the page 67 px under a finger)
});
svg.addEventListener("pointermove", (e) => {
  if (dragging) moveTo(fromPointer(e));
});
const stop = () => { dragging = false; };
svg.addEventListener("pointerup", stop);
svg.addEventListener("pointercancel", stop);

// ---- softmax -----------------------------------------------------------------------------------------

function parseVector(text) {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const values = parts.map(Number);
  if (!parts.length || parts.length > MAX_SOFTMAX || !values.every(Number.isFinite)) return null;
  return values;
}

async function loadSoftmax() {
  const res = await fetchers.softmax("/api/activations", { name: "softmax", x: state.v });
  if (res.aborted) return;
  $("app").removeAttribute("aria-busy");
  if (!res.ok) {
    $("vector-error").textContent = t("act.error", { rule: res.error?.rule ?? "" });
    return;
  }
  $("vector-error").textContent = "";
  const d = res.data;
  const head = h("tr", {}, ["col_i", "col_x", "col_y", "col_dy", "col_bar"].map((k) => h("th", { scope: "col" }, t(`act.${k}`))));
  const rows = d.x.map((x, i) => h("tr", {}, [
    h("th", { scope: "row" }, String(i + 1)), h("td", {}, [num(x)]), h("td", { class: "sy" }, [num(d.y[i])]),
    h("td", { class: "sdy" }, [num(d.dy[i])]),
    h("td", { class: "bar-cell" }, [bar(d.y[i])]),
  ]));
  $("softmax-table").replaceChildren(h("thead", {}, [head]), h("tbody", {}, rows));
  const jhead = h("tr", {}, [h("th", {}, ""), ...d.x.map((_, j) => h("th", { scope: "col" }, `∂/∂x${sub1(j)}`))]);
  const jrows = d.jacobian.map((row, i) => h("tr", {}, [h("th", { scope: "row" }, `y${sub1(i)}`),
    ...row.map((v, j) => h("td", { class: i === j ? "diag" : "" }, [num(v)]))]));
  $("jacobian").replaceChildren(h("thead", {}, [jhead]), h("tbody", {}, jrows));
}

/** A bar as long as a probability (set through the CSSOM: the CSP allows no style attributes). */
function bar(p) {
  const el = h("span", { class: "bar" });
  el.style.width = `${(p * 100).toFixed(2)}%`;
  return el;
}

const SUBS = "₀₁₂₃₄₅₆₇₈₉";
const sub1 = (i) => String(i + 1).replace(/\d/g, (c) => SUBS[Number(c)]);

$("vector").value = state.v.join(", ");
$("vector").addEventListener("input", () => {
  const v = parseVector($("vector").value);
  if (!v) {
    $("vector-error").textContent = t("act.vector_error", { n: MAX_SOFTMAX });
    return;
  }
  $("vector-error").textContent = "";
  state.v = v;
  save();
  $("app").setAttribute("aria-busy", "true");
  loadSoftmax();
});

// ---- the page ----------------------------------------------------------------------------------------

function save() { writeState(state, defaults); }

function choose(name) {
  state.fn = name;
  curves = {};
  point = {};
  save();
  document.querySelectorAll("#uses li").forEach((li) => li.classList.toggle("current", li.dataset.fn.split(" ").includes(name)));
  const soft = name === "softmax";
  $("plot-panel").hidden = soft;
  $("softmax-panel").hidden = !soft;
  $("app").setAttribute("aria-busy", "true");
  if (soft) {
    loadSoftmax();
  } else {
    draw();
    loadCurves();
    loadPoint();
  }
}

document.querySelectorAll("input[name=fn]").forEach((input) => {
  input.checked = input.value === state.fn;
  input.addEventListener("change", () => input.checked && choose(input.value));
});
$("irnn-link").href = `/rnn?preset=%22%22&req=${encodeURIComponent(JSON.stringify(IRNN))}`;
new ResizeObserver(() => state.fn !== "softmax" && draw()).observe($("plot-box"));
onLangChange(() => {
  if (state.fn === "softmax") loadSoftmax();
  else { draw(); readout(); }
});
choose(state.fn);
