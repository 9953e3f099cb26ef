// The convolution explainer: edit an input and a kernel, the API computes Conv2D with a trace,
// and this page animates the trace: the window slides over the padded input, the products appear,
// the formula builds up exactly as the API wrote it, and the output cell fills in.
import { getJSON, latest } from "../lib/api.js";
import { announce, fmt, onLangChange, t } from "../lib/i18n.js";
import { bindControls, Player, reducedMotion } from "../lib/player.js";
import { readState, writeState } from "../lib/url.js";
import { showError, showStageError, showTextError } from "../conv/errors.js";
import { fillPresets } from "../conv/presets.js";
import { MatrixEditor, matrixText, parseMatrix, randomMatrix, reshape } from "../conv/editor.js";
import { outputSizeText } from "../conv/formula.js";
import { GridView, maxAbsOf } from "../conv/grid.js";
import { convKeras, renderKeras } from "../conv/keras.js";
import { fromApiInput, fromApiKernel, toApiInput, toApiKernel } from "../conv/model.js";
import { cellName } from "../conv/names.js";
import { caption, depth, intField, OutputFill, pair, renderTabs, SubSteps } from "../conv/stage.js";

const $ = (id) => document.getElementById(id);
const MAX_IN = 32, MAX_K = 11;

// ---- the model: what the user edits -------------------------------------------------------------
const m = { xs: [[[0]]], ks: [[[[0]]]], bias: null, padding: "valid", strides: [1, 1], dilation: [1, 1], activation: "linear" };
const ui = { chan: 0, kf: 0, kc: 0 };
let DEFAULTS = null;
let examples = [];
let result = null;
let lastError = null;
let lastIndex = null;
let pendingStep = 0;

const C = () => m.xs.length;
const F = () => m.ks.length;
const H = () => m.xs[0].length;
const W = () => m.xs[0][0].length;
const KH = () => m.ks[0][0].length;
const KW = () => m.ks[0][0][0].length;

const apiInput = () => toApiInput(m.xs);
const apiKernel = () => toApiKernel(m.ks);

function stateFromRequest(req) {
  return {
    input: req.input, kernel: req.kernel, bias: req.bias ?? null, padding: req.padding ?? "valid",
    strides: pair(req.strides), dilation: pair(req.dilation_rate), activation: req.activation ?? "linear", step: 0,
  };
}

function currentState(step) {
  return { input: apiInput(), kernel: apiKernel(), bias: m.bias, padding: m.padding, strides: m.strides,
    dilation: m.dilation, activation: m.activation, step };
}

function loadState(s) {
  const xs = fromApiInput(s.input);
  let ks = fromApiKernel(s.kernel);
  const rect = (mat) => mat.length > 0 && mat.every((r) => Array.isArray(r) && r.length === mat[0].length && r.every(Number.isFinite));
  if (!xs.every(rect) || !ks.every((f) => f.every(rect))) throw new Error("not a matrix");
  ks = ks.map((f) => Array.from({ length: xs.length }, (_, ch) => f[ch] || f[0].map((r) => r.map(() => 0))));
  Object.assign(m, {
    xs: xs.map((x) => reshape(x, Math.min(MAX_IN, x.length), Math.min(MAX_IN, x[0].length))),
    ks: ks.map((f) => f.map((k) => reshape(k, Math.min(MAX_K, k.length), Math.min(MAX_K, k[0].length)))),
    bias: Array.isArray(s.bias) ? s.bias.slice(0, ks.length).map(Number) : null,
    padding: typeof s.padding === "number" ? [[s.padding, s.padding], [s.padding, s.padding]] : s.padding,
    strides: pair(s.strides), dilation: pair(s.dilation), activation: String(s.activation || "linear"),
  });
  if (m.bias && m.bias.length !== F()) m.bias = reshape([m.bias], 1, F())[0];
  ui.chan = Math.min(ui.chan, C() - 1);
  ui.kf = Math.min(ui.kf, F() - 1);
  ui.kc = Math.min(ui.kc, C() - 1);
}

// ---- player and stage ---------------------------------------------------------------------------
const player = new Player({ interval: 1500, onStep: (i) => showStep(i) });
bindControls($("player"), player);
const sub = new SubSteps();
const fill = new OutputFill();
let padded = [];   // GridView per input channel
let outputs = [];  // GridView per filter
let detail = [];   // {win, wts, prod} GridViews per channel
let stepOf = new Map();

function isPad(r, c) {
  const p = result.padding, hp = result.padded_input.length, wp = result.padded_input[0].length;
  return r < p.top || r >= hp - p.bottom || c < p.left || c >= wp - p.right;
}

function buildStage() {
  const pi = result.padded_input;
  const flat = depth(pi) === 2;
  const nC = flat ? 1 : pi[0][0].length;
  const [oh, ow] = result.output_shape;
  const nF = result.output_shape.length === 3 ? result.output_shape[2] : 1;

  if (padded.length !== nC) {
    $("padded").replaceChildren();
    padded = Array.from({ length: nC }, () => {
      const wrap = document.createElement("div");
      wrap.className = "chan";
      $("padded").append(wrap);
      wrap.append(caption(""));
      const box = document.createElement("div");
      box.className = "grid-scroll";
      wrap.append(box);
      return new GridView(box, { digits: 2 });
    });
  }
  const inMax = maxAbsOf(pi);
  padded.forEach((g, ch) => {
    g.resize(pi.length, pi[0].length);
    for (let r = 0; r < pi.length; r++) {
      for (let c = 0; c < pi[0].length; c++) g.set(r, c, flat ? pi[r][c] : pi[r][c][ch], inMax, { pad: isPad(r, c) });
    }
    g.mark("win", []);
    g.mark("now", []);
    g.notesAt([]);
  });

  if (outputs.length !== nF) {
    $("output").replaceChildren();
    outputs = Array.from({ length: nF }, (_, f) => {
      const wrap = document.createElement("div");
      wrap.className = "chan";
      $("output").append(wrap);
      wrap.append(caption(""));
      const box = document.createElement("div");
      box.className = "grid-scroll";
      wrap.append(box);
      return new GridView(box, { digits: 2, onCell: (r, c) => jumpTo(r, c, f) });
    });
  }
  outputs.forEach((g) => {
    g.resize(oh, ow);
    for (let r = 0; r < oh; r++) for (let c = 0; c < ow; c++) g.set(r, c, null);
    g.mark("cur", []);
  });

  const [kh, kw] = [KH(), KW()];
  $("detail").replaceChildren();
  detail = Array.from({ length: nC }, () => {
    const row = document.createElement("div");
    row.className = "detail-row";
    $("detail").append(row);
    const part = (sign) => {
      if (sign) {
        const s = document.createElement("span");
        s.className = "op";
        s.textContent = sign;
        s.setAttribute("aria-hidden", "true");
        row.append(s);
      }
      const box = document.createElement("div");
      row.append(box);
      const g = new GridView(box, { digits: 2 });
      g.resize(kh, kw);
      return g;
    };
    const cap = caption("");
    row.append(cap);
    return { cap, win: part(""), wts: part("×"), prod: part("=") };
  });

  stepOf = new Map(result.steps.map((st, k) => [`${st.index[2] ?? 0},${st.index[0]},${st.index[1]}`, k]));
  fill.reset(result.steps, (st) => [outputs[st.index[2] ?? 0], st.index[0], st.index[1]], maxAbsOf(result.output));
  lastIndex = null;
  relabelStage();
}

function relabelStage() {
  padded.forEach((g, ch) => {
    const label = padded.length > 1 ? t("conv.channel_n", { n: ch + 1 }) : t("conv.padded");
    g.root.parentElement.previousSibling.textContent = padded.length > 1 ? label : "";
    g.setLabel(label);
  });
  outputs.forEach((g, f) => {
    const label = outputs.length > 1 ? t("conv.filter_n", { n: f + 1 }) : t("conv.output");
    g.root.parentElement.previousSibling.textContent = outputs.length > 1 ? label : "";
    g.setLabel(label);
  });
  detail.forEach((d, ch) => {
    d.cap.textContent = detail.length > 1 ? t("conv.channel_n", { n: ch + 1 }) : "";
    d.win.setLabel(t("conv.window"));
    d.wts.setLabel(t("conv.kernel"));
    d.prod.setLabel(t("conv.products"));
  });
}

const flatSteps = () => depth(result.padded_input) === 2;
const at = (arr, a, b, ch) => (flatSteps() ? arr[a][b] : arr[a][b][ch]);

function jumpTo(r, c, f) {
  const k = stepOf.get(`${f},${r},${c}`);
  if (k === undefined) return;
  player.pause();
  lastIndex = null; // a jump shows the finished step at once
  player.seek(k);
}

function showStep(i) {
  sub.cancel();
  if (!result || !result.steps.length) return;
  const st = result.steps[i];
  const animate = lastIndex !== null && i === lastIndex + 1 && !reducedMotion();
  lastIndex = i;
  const [r, c, f = 0] = st.index;
  const kh = st.inputs.length, kw = st.inputs[0].length, nC = padded.length;
  const win = st.window;
  padded.forEach((g, ch) => {
    g.mark("win", win);
    g.mark("now", []);
    g.notesAt(win.map(([pr, pc], n) => [pr, pc, "×" + fmt(at(st.weights, Math.floor(n / kw), n % kw, ch), 2)]));
  });
  const inMax = maxAbsOf(result.padded_input), wMax = maxAbsOf(st.weights), pMax = maxAbsOf(st.products);
  detail.forEach((d, ch) => {
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const [pr, pc] = win[a * kw + b];
        d.win.set(a, b, at(st.inputs, a, b, ch), inMax, { pad: isPad(pr, pc) });
        d.wts.set(a, b, at(st.weights, a, b, ch), wMax);
      }
    }
  });
  padded.forEach((g) => { g.reveal(...win[win.length - 1]); g.reveal(...win[0]); });
  outputs.forEach((g, k) => g.mark("cur", k === f ? [[r, c]] : []));
  outputs[f]?.setFocusCell(r, c);
  outputs[f]?.reveal(r, c);
  fill.to(i);
  const n = kh * kw * nC;
  const draw = (k) => {
    detail.forEach((d, ch) => {
      for (let a = 0; a < kh; a++) {
        for (let b = 0; b < kw; b++) {
          const idx = ch * kh * kw + a * kw + b;
          d.prod.set(a, b, idx < k ? at(st.products, a, b, ch) : null, pMax);
        }
      }
    });
    if (k > 0 && k < n) {
      const ch = Math.floor((k - 1) / (kh * kw)), rest = (k - 1) % (kh * kw);
      padded.forEach((g, gc) => g.mark("now", gc === ch ? [win[rest]] : []));
    } else {
      padded.forEach((g) => g.mark("now", []));
    }
    $("formula").textContent = k >= n ? st.formula : k > 0 ? st.terms.slice(0, k).join("") + " …" : "";
    $("facts").textContent = "";
  };
  const done = () => {
    $("formula").textContent = st.formula;
    renderFacts(st);
    fill.to(i + 1);
    if (result.steps_truncated && i === result.steps.length - 1) fillRest();
  };
  sub.run(n, animate ? player.interval / player.speed : 0, draw, done);
  announce(t("conv.announce", { cell: cellName(r, c), filter: F() > 1 ? t("conv.filter_n", { n: f + 1 }) + ": " : "",
    formula: st.formula + (st.activation_formula ? "; " + st.activation_formula : "") }));
  writeState(currentState(i), DEFAULTS);
}

function fillRest() {
  const out = result.output, mx = maxAbsOf(out), three = result.output_shape.length === 3;
  outputs.forEach((g, f) => {
    for (let r = 0; r < out.length; r++) for (let c = 0; c < out[0].length; c++) g.set(r, c, three ? out[r][c][f] : out[r][c], mx);
  });
}

function renderFacts(st) {
  if (!st) { $("facts").textContent = ""; return; }
  const [r, c] = st.index;
  const parts = [t("conv.fact_sum", { v: fmt(st.sum) })];
  const b = fmt(st.bias);
  if (m.bias) parts.push(t("conv.fact_bias", { s: fmt(st.sum), b: st.bias < 0 ? `(${b})` : b, v: fmt(st.pre_activation) }));
  if (st.activation_formula) parts.push(st.activation_formula);
  parts.push(`${cellName(r, c)} = ${fmt(st.value)}`);
  $("facts").textContent = parts.join("  ·  ");
}

function clearStage() {
  result = null;
  sub.cancel();
  $("padded").replaceChildren();
  $("output").replaceChildren();
  $("detail").replaceChildren();
  padded = [];
  outputs = [];
  detail = [];
  $("formula").textContent = "";
  $("facts").textContent = "";
  player.setCount(0);
}

// ---- computing ----------------------------------------------------------------------------------
const post = latest();
let timer = null;
// #app carries aria-busy from an edit until its answer is drawn (tests and assistive tech wait on it)
const schedule = (delay = 120) => {
  $("app").setAttribute("aria-busy", "true");
  clearTimeout(timer);
  timer = setTimeout(compute, delay);
};

function request() {
  const body = { input: apiInput(), kernel: apiKernel(), padding: m.padding, strides: m.strides,
    dilation_rate: m.dilation, activation: m.activation };
  if (m.bias) body.bias = m.bias;
  return body;
}

let lastBody = null;

async function compute() {
  timer = null;
  const body = JSON.stringify(request());
  if (body === lastBody) { // nothing changed (e.g. a field left without a new value): keep the view
    pendingStep = null;
    $("app").removeAttribute("aria-busy");
    return;
  }
  lastBody = body;
  const res = await post("/api/conv2d", JSON.parse(body));
  if (res.aborted) return;
  const target = pendingStep ?? player.index;
  pendingStep = null;
  if (!res.ok) {
    lastError = res.error;
    showStageError(lastError);
    clearStage();
    writeState(currentState(0), DEFAULTS);
  } else {
    lastError = null;
    showStageError(null);
    result = res.data;
    $("truncated").hidden = !result.steps_truncated;
    $("truncated").textContent = result.steps_truncated
      ? t("conv.truncated", { n: result.steps.length, total: result.steps_total }) : "";
    buildStage();
    player.setCount(result.steps.length, Math.min(target, result.steps.length - 1));
  }
  renderSize();
  renderKerasPanel();
  if (!timer) $("app").removeAttribute("aria-busy");
}

// ---- panels -------------------------------------------------------------------------------------
function knownPads() {
  if (result) return result.padding;
  if (m.padding === "valid") return { top: 0, bottom: 0, left: 0, right: 0 };
  if (Array.isArray(m.padding)) return { top: m.padding[0][0], bottom: m.padding[0][1], left: m.padding[1][0], right: m.padding[1][1] };
  return null;
}

function renderSize() {
  const p = knownPads();
  const shape = result?.output_shape;
  $("size-rows").textContent = outputSizeText({ axis: t("conv.axis_rows"), n: H(), pTotal: p ? `${p.top} + ${p.bottom}` : null,
    d: m.dilation[0], k: KH(), s: m.strides[0], o: shape ? shape[0] : null });
  $("size-cols").textContent = outputSizeText({ axis: t("conv.axis_cols"), n: W(), pTotal: p ? `${p.left} + ${p.right}` : null,
    d: m.dilation[1], k: KW(), s: m.strides[1], o: shape ? shape[1] : null });
  $("size-pads").textContent = result ? t("conv.size_pads", result.padding) : t("conv.size_none");
}

function renderKerasPanel() {
  const named = typeof m.padding === "string";
  const p = knownPads() || { top: "?", bottom: "?", left: "?", right: "?" };
  renderKeras($("keras"), convKeras({
    filters: F(), kernel: [KH(), KW()], strides: m.strides, dilation: m.dilation, activation: m.activation,
    useBias: Boolean(m.bias), inputShape: [H(), W(), C()], padding: named ? m.padding : "explicit", pads: p,
  }));
}

// ---- editors and settings -----------------------------------------------------------------------
const inEditor = new MatrixEditor($("in-editor"), {
  maxRows: MAX_IN, maxCols: MAX_IN,
  onChange: (mat) => { setInputShape(mat.length, mat[0].length); m.xs[ui.chan] = mat; changed(); },
});
const kEditor = new MatrixEditor($("k-editor"), {
  maxRows: MAX_K, maxCols: MAX_K,
  onChange: (mat) => { setKernelShape(mat.length, mat[0].length); m.ks[ui.kf][ui.kc] = mat; changed(); },
});

function setInputShape(rows, cols) {
  m.xs = m.xs.map((x) => reshape(x, rows, cols));
}

function setKernelShape(rows, cols) {
  m.ks = m.ks.map((f) => f.map((k) => reshape(k, rows, cols)));
}

function renderEditors() {
  inEditor.setLabel(C() > 1 ? `${t("conv.input")}, ${t("conv.channel_n", { n: ui.chan + 1 })}` : t("conv.input"));
  inEditor.set(m.xs[ui.chan]);
  kEditor.setLabel(`${t("conv.kernel")}${F() > 1 ? ", " + t("conv.filter_n", { n: ui.kf + 1 }) : ""}${C() > 1 ? ", " + t("conv.channel_n", { n: ui.kc + 1 }) : ""}`);
  kEditor.set(m.ks[ui.kf][ui.kc]);
  renderTabs($("in-tabs"), C(), ui.chan, "conv.channel_n", (i) => { ui.chan = i; renderEditors(); });
  renderTabs($("k-ftabs"), F(), ui.kf, "conv.filter_n", (i) => { ui.kf = i; renderEditors(); });
  renderTabs($("k-ctabs"), C(), ui.kc, "conv.channel_n", (i) => { ui.kc = i; renderEditors(); });
  $("in-rows").value = H();
  $("in-cols").value = W();
  $("k-rows").value = KH();
  $("k-cols").value = KW();
  if (document.activeElement !== $("in-text")) $("in-text").value = matrixText(m.xs[ui.chan]);
  if (document.activeElement !== $("k-text")) $("k-text").value = matrixText(m.ks[ui.kf][ui.kc]);
}

function renderSettings() {
  const explicit = Array.isArray(m.padding);
  $("padding").value = explicit ? "explicit" : m.padding;
  $("pads").hidden = !explicit;
  if (explicit) {
    [["pad-top", m.padding[0][0]], ["pad-bottom", m.padding[0][1]], ["pad-left", m.padding[1][0]], ["pad-right", m.padding[1][1]]]
      .forEach(([id, v]) => { $(id).value = v; });
  }
  $("stride-r").value = m.strides[0];
  $("stride-c").value = m.strides[1];
  $("dil-r").value = m.dilation[0];
  $("dil-c").value = m.dilation[1];
  $("activation").value = m.activation;
  $("channels").value = String(C());
  $("filters").value = String(F());
  $("use-bias").checked = Boolean(m.bias);
  renderBias();
  const match = examples.find((e) => JSON.stringify(stateFromRequest(e.request)) === JSON.stringify(currentState(0)));
  $("preset").value = match ? match.id : "";
}

function renderBias() {
  const box = $("bias-inputs");
  const values = m.bias || [];
  if (box.children.length === values.length) { // keep the fields (and the focus); refresh labels and values
    [...box.children].forEach((label, f) => {
      label.firstChild.textContent = t("conv.bias_n", { n: f + 1 });
      const input = label.lastChild;
      if (document.activeElement !== input) input.value = String(values[f]);
    });
    return;
  }
  box.replaceChildren();
  values.forEach((b, f) => {
    const label = document.createElement("label");
    const span = document.createElement("span");
    span.className = F() > 1 ? "" : "sr-only";
    span.textContent = t("conv.bias_n", { n: f + 1 });
    const input = document.createElement("input");
    input.type = "number";
    input.step = "any";
    input.value = String(b);
    input.className = "bias";
    input.addEventListener("change", () => {
      const v = Number(input.value);
      if (Number.isFinite(v)) { m.bias[f] = v; changed(); }
    });
    label.append(span, input);
    box.append(label);
  });
}

function renderPresets() {
  fillPresets($("preset"), examples);
}

function changed({ keepStep = true } = {}) {
  if (!keepStep) pendingStep = 0;
  renderEditors();
  renderSettings();
  schedule();
}

function readPadding() {
  const v = $("padding").value;
  $("pads").hidden = v !== "explicit";
  if (v !== "explicit") return v;
  const n = (id) => intField($(id), 0);
  return [[n("pad-top"), n("pad-bottom")], [n("pad-left"), n("pad-right")]];
}

$("padding").addEventListener("change", () => { m.padding = readPadding(); changed(); });
["pad-top", "pad-bottom", "pad-left", "pad-right"].forEach((id) => $(id).addEventListener("change", () => { m.padding = readPadding(); changed(); }));
$("stride-r").addEventListener("change", () => { m.strides = [intField($("stride-r")), m.strides[1]]; changed(); });
$("stride-c").addEventListener("change", () => { m.strides = [m.strides[0], intField($("stride-c"))]; changed(); });
$("dil-r").addEventListener("change", () => { m.dilation = [intField($("dil-r")), m.dilation[1]]; changed(); });
$("dil-c").addEventListener("change", () => { m.dilation = [m.dilation[0], intField($("dil-c"))]; changed(); });
$("activation").addEventListener("change", () => { m.activation = $("activation").value; changed(); });
$("use-bias").addEventListener("change", () => { m.bias = $("use-bias").checked ? m.ks.map(() => 0) : null; changed(); });
$("channels").addEventListener("change", () => {
  const n = Number($("channels").value);
  const grow = (list, make) => Array.from({ length: n }, (_, i) => list[i] || make());
  m.xs = grow(m.xs, () => randomMatrix(H(), W(), 0, 5));
  m.ks = m.ks.map((f) => grow(f, () => randomMatrix(KH(), KW(), -1, 2)));
  ui.chan = Math.min(ui.chan, n - 1);
  ui.kc = Math.min(ui.kc, n - 1);
  changed({ keepStep: false });
});
$("filters").addEventListener("change", () => {
  const n = Number($("filters").value);
  m.ks = Array.from({ length: n }, (_, i) => m.ks[i] || m.xs.map(() => randomMatrix(KH(), KW(), -1, 2)));
  if (m.bias) m.bias = Array.from({ length: n }, (_, i) => m.bias[i] ?? 0);
  ui.kf = Math.min(ui.kf, n - 1);
  changed({ keepStep: false });
});
const resizeFrom = (rowsId, colsId, set) => () => set(intField($(rowsId)), intField($(colsId)));
$("in-rows").addEventListener("change", resizeFrom("in-rows", "in-cols", (r, c) => { setInputShape(r, c); changed(); }));
$("in-cols").addEventListener("change", resizeFrom("in-rows", "in-cols", (r, c) => { setInputShape(r, c); changed(); }));
$("k-rows").addEventListener("change", resizeFrom("k-rows", "k-cols", (r, c) => { setKernelShape(r, c); changed(); }));
$("k-cols").addEventListener("change", resizeFrom("k-rows", "k-cols", (r, c) => { setKernelShape(r, c); changed(); }));
$("random").addEventListener("click", () => {
  m.xs = m.xs.map(() => randomMatrix(H(), W(), 0, 5));
  m.ks = m.ks.map((f) => f.map(() => randomMatrix(KH(), KW(), -2, 2)));
  changed({ keepStep: false });
});
$("preset").addEventListener("change", () => {
  const e = examples.find((x) => x.id === $("preset").value);
  if (!e) return;
  loadState(stateFromRequest(e.request));
  changed({ keepStep: false });
});

function applyText(textId, maxR, maxC, apply) {
  const parsed = parseMatrix($(textId).value);
  textError(parsed.error);
  if (parsed.error) return;
  apply(reshape(parsed.matrix, Math.min(maxR, parsed.matrix.length), Math.min(maxC, parsed.matrix[0].length)));
}
function textError(code) {
  showTextError($("text-error"), code);
}
$("in-apply").addEventListener("click", () => applyText("in-text", MAX_IN, MAX_IN, (mat) => {
  setInputShape(mat.length, mat[0].length); m.xs[ui.chan] = mat; changed();
}));
$("k-apply").addEventListener("click", () => applyText("k-text", MAX_K, MAX_K, (mat) => {
  setKernelShape(mat.length, mat[0].length); m.ks[ui.kf][ui.kc] = mat; changed();
}));
document.addEventListener("matrix-error", (e) => textError(e.detail));

onLangChange(() => {
  if (result?.steps_truncated) $("truncated").textContent = t("conv.truncated", { n: result.steps.length, total: result.steps_total });
  renderPresets();
  renderEditors();
  renderSettings();
  relabelStage();
  showError($("error"), lastError);
  if (result?.steps.length) renderFacts(result.steps[player.index]);
  renderSize();
  renderKerasPanel();
  if (!timer) $("app").removeAttribute("aria-busy");
});

// ---- start --------------------------------------------------------------------------------------
async function init() {
  const res = await getJSON("/api/examples");
  examples = res.ok ? res.data.examples.filter((e) => e.endpoint === "/api/conv2d") : [];
  const base = examples.find((e) => e.id === "conv-padding") || examples[0];
  DEFAULTS = base ? stateFromRequest(base.request)
    : { input: [[1, 2], [3, 4]], kernel: [[1]], bias: null, padding: "valid", strides: [1, 1], dilation: [1, 1], activation: "linear", step: 0 };
  const s = readState(DEFAULTS);
  try {
    loadState(s);
  } catch {
    loadState(DEFAULTS);
  }
  pendingStep = Math.max(0, Number(s.step) || 0);
  renderPresets();
  renderEditors();
  renderSettings();
  await compute();
}

init();
