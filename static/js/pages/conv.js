// The convolution explainer: edit an input and a kernel, the API computes Conv2D with a trace, and this
// page animates the trace: the window slides over the padded input, the products appear, the formula
// builds up from the API's terms, and the output cell fills in. The request is the page state
// (trace/session.js); trace/page.js does what /conv and /pool share.
import { h } from "../lib/dom.js";
import { MatrixEditor } from "../lib/editor.js";
import { t } from "../lib/i18n.js";
import { fit, full, widest } from "../lib/numfmt.js";
import { limits } from "../lib/limits.js";
import { depth, isMatrix, maxAbsOf, randomMatrix, reshape } from "../lib/matrix.js";
import { GridView } from "../lib/grid.js";
import { fromApiInput, fromApiKernel, toApiInput, toApiKernel } from "../trace/channels.js";
import { cellName } from "../lib/names.js";
import { startTracePage } from "../trace/page.js";
import { gridsIn, intField, labelGrids, pair, renderTabs } from "../trace/stage.js";

const $ = (id) => document.getElementById(id);
const L = limits.conv;
const ui = { chan: 0, kf: 0, kc: 0 }; // the channel and filter the editors show

// ---- the request: (H, W[, C]) input and (kh, kw[, C, F]) kernel, as lists of matrices to edit ----------
const xs = (req) => fromApiInput(req.input);     // [C][H][W]
const ks = (req) => fromApiKernel(req.kernel);   // [F][C][kh][kw]

/** A request made whole and within the editors' caps (which are the API's). */
function check(r) {
  let x = fromApiInput(r.input), k = fromApiKernel(r.kernel);
  if (!x.every(isMatrix) || !k.every((f) => f.every(isMatrix))) throw new Error("not a matrix");
  const [rows, cols] = [Math.min(L.max_hw, x[0].length), Math.min(L.max_hw, x[0][0].length)];
  x = x.map((m) => reshape(m, rows, cols));
  const [kh, kw] = [Math.min(L.max_k, k[0][0].length), Math.min(L.max_k, k[0][0][0].length)];
  k = k.map((f) => x.map((_, ch) => reshape(f[ch] || [[0]], kh, kw)));
  return {
    input: toApiInput(x), kernel: toApiKernel(k),
    bias: Array.isArray(r.bias) ? reshape([r.bias.map(Number)], 1, k.length)[0] : null,
    padding: paddingOf(r.padding ?? "valid"),
    strides: pair(r.strides), dilation_rate: pair(r.dilation_rate), activation: String(r.activation || "linear"),
  };
}

/** 'valid' | 'same' | 'full' | [[top, bottom], [left, right]] (an int pads every side); anything else: 'valid'. */
function paddingOf(p) {
  if (Number.isInteger(p)) return [[p, p], [p, p]];
  if (Array.isArray(p) && p.length === 2 && p.every((s) => Array.isArray(s) && s.length === 2 && s.every(Number.isInteger))) return p;
  return ["valid", "same", "full"].includes(p) ? p : "valid";
}

/** Set the input channels (each rows × cols) and keep the kernel's channels and the view in step. */
function setInput(req, channels) {
  const k = ks(req).map((f) => channels.map((_, ch) => f[ch] || randomMatrix(f[0].length, f[0][0].length, -1, 2)));
  req.input = toApiInput(channels);
  req.kernel = toApiKernel(k);
  ui.chan = Math.min(ui.chan, channels.length - 1);
  ui.kc = Math.min(ui.kc, channels.length - 1);
}

function setKernel(req, filters) {
  req.kernel = toApiKernel(filters);
  if (req.bias) req.bias = filters.map((_, f) => req.bias[f] ?? 0);
  ui.kf = Math.min(ui.kf, filters.length - 1);
}

const reshapeInput = (req, rows, cols) => setInput(req, xs(req).map((m) => reshape(m, rows, cols)));
const reshapeKernel = (req, rows, cols) => setKernel(req, ks(req).map((f) => f.map((m) => reshape(m, rows, cols))));

// ---- the stage ---------------------------------------------------------------------------------------
let padded = [];   // GridView per input channel
let outputs = [];  // GridView per filter
let detail = [];   // {cap, win, wts, prod} per channel
let answer = null;
let noteChars = 1; // characters of the widest filter weight (the notes over the window)

function isPad(r, c) {
  const p = answer.padding, hp = answer.padded_input.length, wp = answer.padded_input[0].length;
  return r < p.top || r >= hp - p.bottom || c < p.left || c >= wp - p.right;
}
const flat = () => depth(answer.padded_input) === 2;
const at = (arr, a, b, ch) => (flat() ? arr[a][b] : arr[a][b][ch]);

function build(data, req = stage.session.req) {
  answer = data;
  const pi = data.padded_input;
  const nC = flat() ? 1 : pi[0][0].length;
  const [oh, ow] = data.output_shape;
  const nF = data.output_shape.length === 3 ? data.output_shape[2] : 1;
  padded = gridsIn($("padded"), padded, nC);
  padded.forEach((g) => g.resize(pi.length, pi[0].length));
  const [kh, kw] = data.steps.length ? [data.steps[0].inputs.length, data.steps[0].inputs[0].length] : [1, 1];
  // the window's grid writes the inputs as the padded input does, so a number reads the same in both grids
  // and in the formula (writeStep); the weights read the same in the filter's grid, the notes and the formula
  detail = Array.from({ length: nC }, () => {
    const row = h("div", { class: "detail-row" });
    const part = (sign, options) => {
      if (sign) row.append(h("span", { class: "op", "aria-hidden": "true" }, sign));
      const box = h("div");
      row.append(box);
      const g = new GridView(box, options);
      g.resize(kh, kw);
      return g;
    };
    const cap = h("div", { class: "cap" });
    row.append(cap);
    const parts = { cap, win: part("", { limit: padded[0].cap() }), wts: part("×"), prod: part("=") };
    parts.win.fitValues(pi);
    parts.wts.fitValues(req.kernel);
    return parts;
  });
  $("detail").replaceChildren(...detail.map((d) => d.cap.parentElement));
  const inMax = maxAbsOf(pi);
  noteChars = widest(req.kernel, detail[0].wts.cap());
  padded.forEach((g, ch) => {
    g.fitValues(pi, noteChars);
    for (let r = 0; r < pi.length; r++) {
      for (let c = 0; c < pi[0].length; c++) g.set(r, c, at(pi, r, c, ch), inMax, { pad: isPad(r, c) });
    }
    g.mark("win", []);
    g.mark("now", []);
    g.notesAt([]);
  });
  outputs = gridsIn($("output"), outputs, nF, (f) => ({ onCell: (r, c) => stage.jump(r, c, f) }));
  outputs.forEach((g) => {
    g.resize(oh, ow);
    g.fitValues(data.output);
    for (let r = 0; r < oh; r++) for (let c = 0; c < ow; c++) g.set(r, c, null);
  });
  relabel();
}

// ---- the formula, with its numbers written as the grids write them ----------------------------------------
// The engine writes a step's formula with its own rounding (0.00012 as "0.0001", 1.481e10 as "1.481e+10"); the
// grids follow lib/numfmt.js at their width (1.2e-4, 1.5e10). So that a number reads the same in a grid and
// in the formula, the formula is written again from the step's numbers with the grids' own texts (textOf): the
// inputs as the padded input's cells, the weights as the filter's cells, the result as the output's cells. The
// numbers no grid shows (the group sums, the bias, the sum before an activation) are written as the widest grid
// cells write theirs; the group sums come from the engine's text, nothing is computed here.
// A formula of a layout this page does not know is shown as the engine wrote it.
const WIDE = 6; // characters of the widest grid cells (lib/grid.js CAP.l)
const paren = (s) => (s.startsWith("-") ? `(${s})` : s);
const inText = (v) => padded[0].textOf(v);
const wText = (v) => detail[0].wts.textOf(v);
const outText = (v) => outputs[0].textOf(v);
const wideText = (v) => fit(v, WIDE);
/** The sum before the activation: the output's own number when there is no activation. */
const preText = (st) => (st.engine?.activation ? wideText : outText)(st.pre_activation);

/** The step's terms, formula and activation formula as the engine wrote them (kept once a step is rewritten). */
const engineOf = (st) => (st.engine ??= { terms: st.terms, formula: st.formula, activation: st.activation_formula });

/** Rewrite st.terms, st.formula and st.activation_formula with the grids' texts (what trace/page.js shows). */
function writeStep(st) {
  const engine = engineOf(st), mine = writeTerms(st, engine.terms);
  st.terms = mine || engine.terms;
  st.formula = st.terms.join("");
  const name = engine.activation?.slice(0, engine.activation.indexOf("("));
  st.activation_formula = engine.activation && mine && name
    ? `${name}(${preText(st)}) = ${outText(st.value)}` : engine.activation;
}

function writeTerms(st, terms) {
  const kh = st.inputs.length, kw = st.inputs[0].length, nC = padded.length, n = kh * kw * nC;
  if (terms.length !== n + 1) return null;
  const out = [];
  for (let ch = 0; ch < nC; ch++) {
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const sep = out.length === 0 ? "(" : b === 0 ? ") + (" : " + "; // one group per channel and kernel row
        if (!terms[out.length].startsWith(sep)) return null;
        out.push(`${sep}${paren(inText(at(st.inputs, a, b, ch)))}×${paren(wText(at(st.weights, a, b, ch)))}`);
      }
    }
  }
  const tail = writeTail(terms[n], st);
  return tail === null ? null : [...out, tail];
}

/** The engine's last term, ") = 19" or ")[ + b] = 3 + 0 + 16[ + b] = 19", with the grids' texts (null: unknown). */
function writeTail(tail, st) {
  const parts = tail.split(" = ");
  if (parts.length === 2 && parts[0] === ")") return `) = ${preText(st)}`;
  if (parts.length !== 3 || !(parts[0] === ")" || parts[0].startsWith(") + "))) return null;
  const hasBias = parts[0] !== ")";
  const sums = parts[1].split(" + ").map((s) => Number(s.replace(/^\((.*)\)$/, "$1")));
  if (hasBias) sums.pop();
  if (!sums.length || !sums.every(Number.isFinite)) return null;
  const b = hasBias ? ` + ${paren(wideText(st.bias))}` : "";
  const middle = sums.map((v, g) => (g ? paren(wideText(v)) : wideText(v))).join(" + ");
  return `)${b} = ${middle}${b} = ${preText(st)}`;
}

function relabel() {
  labelGrids(padded, t("conv.padded"), (ch) => t("conv.channel_n", { n: ch + 1 }));
  labelGrids(outputs, t("conv.output"), (f) => t("conv.filter_n", { n: f + 1 }));
  detail.forEach((d, ch) => {
    d.cap.textContent = detail.length > 1 ? t("conv.channel_n", { n: ch + 1 }) : "";
    d.win.setLabel(t("conv.window"));
    d.wts.setLabel(t("conv.kernel"));
    d.prod.setLabel(t("conv.products"));
  });
}

function step(st) {
  writeStep(st);
  const kh = st.inputs.length, kw = st.inputs[0].length, nC = padded.length, win = st.window;
  padded.forEach((g, ch) => {
    g.mark("win", win);
    g.mark("now", []);
    g.notesAt(win.map(([pr, pc], n) => [pr, pc, wText(at(st.weights, Math.floor(n / kw), n % kw, ch))]));
  });
  const inMax = maxAbsOf(answer.padded_input), wMax = maxAbsOf(st.weights), pMax = maxAbsOf(st.products);
  detail.forEach((d, ch) => {
    d.prod.fitValues(st.products);
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const [pr, pc] = win[a * kw + b];
        d.win.set(a, b, at(st.inputs, a, b, ch), inMax, { pad: isPad(pr, pc) });
        d.wts.set(a, b, at(st.weights, a, b, ch), wMax);
      }
    }
  });
  padded.forEach((g) => { g.reveal(...win[win.length - 1]); g.reveal(...win[0]); });
  const n = kh * kw * nC;
  const draw = (k) => {
    detail.forEach((d, ch) => {
      for (let a = 0; a < kh; a++) {
        for (let b = 0; b < kw; b++) d.prod.set(a, b, ch * kh * kw + a * kw + b < k ? at(st.products, a, b, ch) : null, pMax);
      }
    });
    const ch = Math.floor((k - 1) / (kh * kw)), rest = (k - 1) % (kh * kw);
    padded.forEach((g, gc) => g.mark("now", k > 0 && k < n && gc === ch ? [win[rest]] : []));
  };
  return { n, draw, terms: (k) => k, done: () => {} }; // one term per product
}

/** The line under the formula; its numbers written as in the formula. */
function facts(st) {
  const [r, c] = st.index;
  const parts = [t("conv.fact_sum", { v: wideText(st.sum) })];
  if (stage.session.req.bias) {
    parts.push(t("conv.fact_bias", { s: wideText(st.sum), b: paren(wideText(st.bias)), v: preText(st) }));
  }
  if (st.activation_formula) parts.push(st.activation_formula);
  parts.push(`${cellName(r, c)} = ${outText(st.value)}`);
  return parts.join("  ·  ");
}

function announceStep(st) {
  const [r, c, f = 0] = st.index;
  return t("conv.announce", { cell: cellName(r, c), filter: outputs.length > 1 ? t("conv.filter_n", { n: f + 1 }) + ": " : "",
    formula: st.formula + (st.activation_formula ? "; " + st.activation_formula : "") });
}

function clear() {
  for (const id of ["padded", "output", "detail"]) $(id).replaceChildren();
  padded = [];
  outputs = [];
  detail = [];
}

/** The output-size rule's numbers; the padding is known before the answer unless it is 'same' or 'full'. */
function size(req, data) {
  const x = xs(req)[0], k = ks(req)[0][0], p = req.padding;
  const pads = data?.padding ?? (p === "valid" ? { top: 0, bottom: 0, left: 0, right: 0 }
    : Array.isArray(p) ? { top: p[0][0], bottom: p[0][1], left: p[1][0], right: p[1][1] } : null);
  return { rows: { n: x.length, k: k.length, d: req.dilation_rate[0], s: req.strides[0] },
    cols: { n: x[0].length, k: k[0].length, d: req.dilation_rate[1], s: req.strides[1] }, pads };
}

// ---- editors and settings ---------------------------------------------------------------------------
const editor = (id, text, max, label, onChange) => new MatrixEditor($(id), {
  text, maxRows: max, maxCols: max, maxAbs: L.max_abs, label, onChange: (m) => stage.edit(onChange(m)) });
const inEditor = editor("in-editor", "in", L.max_hw, () => inputLabel(), (m) => (req) => {
  const x = xs(req).map((c) => reshape(c, m.length, m[0].length));
  x[ui.chan] = m;
  setInput(req, x);
});
const kEditor = editor("k-editor", "k", L.max_k, () => kernelLabel(), (m) => (req) => {
  const k = ks(req).map((f) => f.map((c) => reshape(c, m.length, m[0].length)));
  k[ui.kf][ui.kc] = m;
  setKernel(req, k);
});
const inputLabel = () => (C() > 1 ? `${t("conv.input")}, ${t("conv.channel_n", { n: ui.chan + 1 })}` : t("conv.input"));
const kernelLabel = () => [t("conv.kernel"), F() > 1 ? t("conv.filter_n", { n: ui.kf + 1 }) : null,
  C() > 1 ? t("conv.channel_n", { n: ui.kc + 1 }) : null].filter(Boolean).join(", ");
const C = () => (depth(stage.session.req.input) === 3 ? stage.session.req.input[0][0].length : 1);
const F = () => (depth(stage.session.req.kernel) === 4 ? stage.session.req.kernel[0][0][0].length : 1);

function renderForm(req) {
  const x = xs(req), k = ks(req);
  inEditor.set(x[ui.chan]);
  kEditor.set(k[ui.kf][ui.kc]);
  const tabs = (id, n, active, label, pick) => renderTabs($(id), n, active, label, (i) => { pick(i); renderForm(stage.session.req); });
  tabs("in-tabs", x.length, ui.chan, "conv.channel_n", (i) => { ui.chan = i; });
  tabs("k-ftabs", k.length, ui.kf, "conv.filter_n", (i) => { ui.kf = i; });
  tabs("k-ctabs", x.length, ui.kc, "conv.channel_n", (i) => { ui.kc = i; });
  $("in-rows").value = x[0].length;
  $("in-cols").value = x[0][0].length;
  $("k-rows").value = k[0][0].length;
  $("k-cols").value = k[0][0][0].length;
  const explicit = Array.isArray(req.padding);
  $("padding").value = explicit ? "explicit" : req.padding;
  $("pads").hidden = !explicit;
  if (explicit) {
    [["pad-top", req.padding[0][0]], ["pad-bottom", req.padding[0][1]], ["pad-left", req.padding[1][0]],
      ["pad-right", req.padding[1][1]]].forEach(([id, v]) => { $(id).value = v; });
  }
  [$("stride-r").value, $("stride-c").value] = req.strides;
  [$("dil-r").value, $("dil-c").value] = req.dilation_rate;
  $("activation").value = req.activation;
  $("channels").value = String(x.length);
  $("filters").value = String(k.length);
  $("use-bias").checked = Boolean(req.bias);
  renderBias(req.bias || []);
}

function renderBias(values) {
  const box = $("bias-inputs");
  if (box.children.length === values.length) { // keep the fields (and the focus); refresh labels and values
    [...box.children].forEach((label, f) => {
      label.firstChild.textContent = t("conv.bias_n", { n: f + 1 });
      if (document.activeElement !== label.lastChild) showBias(label.lastChild, values[f]);
    });
    return;
  }
  box.replaceChildren(...values.map((b, f) => {
    const input = h("input", { type: "text", inputmode: "text", autocomplete: "off", spellcheck: "false", class: "bias" });
    showBias(input, b);
    input.addEventListener("change", () => {
      const v = Number(input.value.trim().replace(",", "."));
      if (input.value.trim() !== "" && Number.isFinite(v) && Math.abs(v) <= L.max_abs) stage.edit((req) => { req.bias[f] = v; });
      else showBias(input, stage.session.req.bias[f]);
    });
    return h("label", {}, [h("span", { class: values.length > 1 ? "" : "sr-only" }, t("conv.bias_n", { n: f + 1 })), input]);
  }));
}

/** A bias field shows its whole value (it is the number being edited), as wide as it needs. */
function showBias(input, b) {
  input.value = full(b);
  input.style.width = `calc(${Math.max(4, input.value.length)}ch + 1.2rem)`;
}

function readPadding() {
  const v = $("padding").value;
  if (v !== "explicit") return v;
  const n = (id) => intField($(id), 0);
  return [[n("pad-top"), n("pad-bottom")], [n("pad-left"), n("pad-right")]];
}

const stage = startTracePage({
  session: {
    endpoint: "/api/conv2d", preset: "conv-padding", check, urlKeys: { dilation_rate: "dilation" },
    openAt: { "conv-padding": [1, 1] }, // the slide's step: a₁₁ = 19
    fallback: { input: [[1, 2], [3, 4]], kernel: [[1]] },
  },
  interval: 1500,
  renderForm, build, outputs: () => outputs, step, facts, announce: announceStep, size, clear,
  relabel: () => relabel(),
  presetNote: (id) => (id === "conv-padding" ? t("conv.transposed_note") : null),
  random(req) {
    setInput(req, xs(req).map((m) => randomMatrix(m.length, m[0].length, 0, 5)));
    setKernel(req, ks(req).map((f) => f.map((m) => randomMatrix(m.length, m[0].length, -2, 2))));
  },
});

const on = (id, fn, options) => $(id).addEventListener("change", () => stage.edit(fn, options));
on("padding", (req) => { req.padding = readPadding(); });
["pad-top", "pad-bottom", "pad-left", "pad-right"].forEach((id) => on(id, (req) => { req.padding = readPadding(); }));
on("stride-r", (req) => { req.strides = [intField($("stride-r")), req.strides[1]]; });
on("stride-c", (req) => { req.strides = [req.strides[0], intField($("stride-c"))]; });
on("dil-r", (req) => { req.dilation_rate = [intField($("dil-r")), req.dilation_rate[1]]; });
on("dil-c", (req) => { req.dilation_rate = [req.dilation_rate[0], intField($("dil-c"))]; });
on("activation", (req) => { req.activation = $("activation").value; });
on("use-bias", (req) => { req.bias = $("use-bias").checked ? ks(req).map(() => 0) : null; });
on("channels", (req) => {
  const x = xs(req), n = Number($("channels").value);
  setInput(req, Array.from({ length: n }, (_, i) => x[i] || randomMatrix(x[0].length, x[0][0].length, 0, 5)));
}, { restart: true });
on("filters", (req) => {
  const k = ks(req), n = Number($("filters").value);
  setKernel(req, Array.from({ length: n }, (_, i) => k[i] || k[0].map((m) => randomMatrix(m.length, m[0].length, -1, 2))));
}, { restart: true });
on("in-rows", (req) => reshapeInput(req, intField($("in-rows")), intField($("in-cols"))));
on("in-cols", (req) => reshapeInput(req, intField($("in-rows")), intField($("in-cols"))));
on("k-rows", (req) => reshapeKernel(req, intField($("k-rows")), intField($("k-cols"))));
on("k-cols", (req) => reshapeKernel(req, intField($("k-rows")), intField($("k-cols"))));
