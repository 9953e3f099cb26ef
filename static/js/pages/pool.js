// The pooling explainer: max or average over each window, from the API's trace. The winning cell
// (the API's argmax) is outlined for max; for average the formula Σ / n counts only real cells.
import { getJSON, latest } from "../lib/api.js";
import { announce, fmt, onLangChange, t } from "../lib/i18n.js";
import { bindControls, Player, reducedMotion } from "../lib/player.js";
import { readState, writeState } from "../lib/url.js";
import { showError, showStageError, showTextError } from "../conv/errors.js";
import { fillPresets } from "../conv/presets.js";
import { MatrixEditor, matrixText, parseMatrix, randomMatrix, reshape } from "../conv/editor.js";
import { outputSizeText } from "../conv/formula.js";
import { GridView, maxAbsOf } from "../conv/grid.js";
import { poolKeras, renderKeras } from "../conv/keras.js";
import { intField, OutputFill, pair, SubSteps } from "../conv/stage.js";
import { cellName } from "../conv/names.js";

const $ = (id) => document.getElementById(id);
const MAX_IN = 32;

const m = { x: [[0]], mode: "max", pool: [2, 2], strides: null, padding: "valid" };
let DEFAULTS = null;
let examples = [];
let result = null;
let lastError = null;
let lastIndex = null;
let pendingStep = 0;

const H = () => m.x.length;
const W = () => m.x[0].length;

function stateFromRequest(req) {
  return { input: req.input, mode: req.mode ?? "max", pool: pair(req.pool_size ?? 2),
    strides: req.strides == null ? null : pair(req.strides), padding: req.padding ?? "valid", step: 0 };
}

const currentState = (step) => ({ input: m.x, mode: m.mode, pool: m.pool, strides: m.strides, padding: m.padding, step });

function loadState(s) {
  const x = s.input;
  const ok = Array.isArray(x) && x.length && x.every((r) => Array.isArray(r) && r.length === x[0].length && r.every(Number.isFinite));
  if (!ok) throw new Error("not a matrix");
  Object.assign(m, {
    x: reshape(x, Math.min(MAX_IN, x.length), Math.min(MAX_IN, x[0].length)),
    mode: s.mode === "average" ? "average" : "max",
    pool: pair(s.pool), strides: s.strides == null ? null : pair(s.strides),
    padding: s.padding === "same" ? "same" : "valid",
  });
}

// ---- stage --------------------------------------------------------------------------------------
const player = new Player({ interval: 1100, onStep: (i) => showStep(i) });
bindControls($("player"), player);
const sub = new SubSteps();
const fill = new OutputFill();
const padded = new GridView($("padded"), { digits: 2 });
const output = new GridView($("output"), { digits: 2, onCell: (r, c) => jumpTo(r, c) });
const detail = new GridView($("detail"), { digits: 2 });
let stepOf = new Map();

function buildStage() {
  const p = result.padding;
  const hp = H() + p.top + p.bottom, wp = W() + p.left + p.right;
  const inMax = maxAbsOf(m.x);
  padded.resize(hp, wp);
  for (let r = 0; r < hp; r++) {
    for (let c = 0; c < wp; c++) {
      const xr = r - p.top, xc = c - p.left;
      const real = xr >= 0 && xr < H() && xc >= 0 && xc < W();
      // layout only: the input the user gave, placed inside the padding the engine chose
      padded.set(r, c, real ? m.x[xr][xc] : null, inMax, { pad: !real });
    }
  }
  ["win", "now", "arg"].forEach((cls) => padded.mark(cls, []));
  const [oh, ow] = result.output_shape;
  output.resize(oh, ow);
  for (let r = 0; r < oh; r++) for (let c = 0; c < ow; c++) output.set(r, c, null);
  output.mark("cur", []);
  detail.resize(m.pool[0], m.pool[1]);
  stepOf = new Map(result.steps.map((st, k) => [`${st.index[0]},${st.index[1]}`, k]));
  fill.reset(result.steps, (st) => [output, st.index[0], st.index[1]], maxAbsOf(result.output));
  lastIndex = null;
  relabel();
}

function relabel() {
  padded.setLabel(t("conv.padded"));
  output.setLabel(t("conv.output"));
  detail.setLabel(t("pool.window"));
  const max = m.mode === "max";
  $("legend-arg").hidden = !max;
  $("legend-arg-text").hidden = !max;
}

function jumpTo(r, c) {
  const k = stepOf.get(`${r},${c}`);
  if (k === undefined) return;
  player.pause();
  lastIndex = null;
  player.seek(k);
}

function showStep(i) {
  sub.cancel();
  if (!result || !result.steps.length) return;
  const st = result.steps[i];
  const animate = lastIndex !== null && i === lastIndex + 1 && !reducedMotion();
  lastIndex = i;
  const [r, c] = st.index;
  const win = st.window;
  const inMax = maxAbsOf(m.x);
  padded.mark("win", win);
  padded.mark("arg", []);
  detail.mark("arg", []);
  const [, pw] = m.pool;
  win.forEach((_, n) => {
    const a = Math.floor(n / pw), b = n % pw;
    detail.set(a, b, st.inputs[n], inMax, { pad: st.inputs[n] === null });
  });
  detail.mark("skip", win.map((_, n) => [Math.floor(n / pw), n % pw]).filter((_, n) => st.inputs[n] === null));
  padded.reveal(...win[win.length - 1]);
  padded.reveal(...win[0]);
  output.mark("cur", [[r, c]]);
  output.setFocusCell(r, c);
  output.reveal(r, c);
  fill.to(i);
  $("count").textContent = t("pool.count", { n: st.count });
  const draw = (k) => {
    padded.mark("now", k > 0 && k <= win.length && k < win.length ? [win[k - 1]] : []);
    $("formula").textContent = "";
    $("facts").textContent = "";
  };
  const done = () => {
    padded.mark("now", []);
    if (st.argmax) {
      padded.mark("arg", [st.argmax]);
      const n = win.findIndex(([a, b]) => a === st.argmax[0] && b === st.argmax[1]);
      detail.mark("arg", [[Math.floor(n / pw), n % pw]]);
    }
    $("formula").textContent = st.formula;
    renderFacts(st);
    fill.to(i + 1);
    if (result.steps_truncated && i === result.steps.length - 1) fillRest();
  };
  sub.run(win.length, animate ? player.interval / player.speed : 0, draw, done);
  announce(t("pool.announce", { cell: cellName(r, c), formula: st.formula }));
  writeState(currentState(i), DEFAULTS);
}

function fillRest() {
  const out = result.output, mx = maxAbsOf(out);
  for (let r = 0; r < out.length; r++) for (let c = 0; c < out[0].length; c++) output.set(r, c, out[r][c], mx);
}

function renderFacts(st) {
  if (!st) { $("facts").textContent = ""; return; }
  const [r, c] = st.index;
  const why = st.argmax ? t("pool.fact_max", { n: st.count }) : t("pool.fact_avg", { s: fmt(st.sum), n: st.count });
  $("facts").textContent = `${cellName(r, c)} = ${fmt(st.value)}  ·  ${why}`;
}

function clearStage() {
  result = null;
  sub.cancel();
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

let lastBody = null;

async function compute() {
  timer = null;
  const body = { input: m.x, mode: m.mode, pool_size: m.pool, strides: m.strides, padding: m.padding };
  if (JSON.stringify(body) === lastBody) { // nothing changed: keep the view
    pendingStep = null;
    $("app").removeAttribute("aria-busy");
    return;
  }
  lastBody = JSON.stringify(body);
  const res = await post("/api/pool", body);
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
    buildStage();
    player.setCount(result.steps.length, Math.min(target, result.steps.length - 1));
  }
  renderSize();
  renderKeras($("keras"), poolKeras({ mode: m.mode, pool: m.pool, strides: m.strides, padding: m.padding, inputShape: [H(), W(), 1] }));
  if (!timer) $("app").removeAttribute("aria-busy");
}

function renderSize() {
  const p = result?.padding ?? (m.padding === "valid" ? { top: 0, bottom: 0, left: 0, right: 0 } : null);
  const s = m.strides || m.pool;
  const shape = result?.output_shape;
  $("size-rows").textContent = outputSizeText({ axis: t("conv.axis_rows"), n: H(), pTotal: p ? `${p.top} + ${p.bottom}` : null,
    d: 1, k: m.pool[0], s: s[0], o: shape ? shape[0] : null });
  $("size-cols").textContent = outputSizeText({ axis: t("conv.axis_cols"), n: W(), pTotal: p ? `${p.left} + ${p.right}` : null,
    d: 1, k: m.pool[1], s: s[1], o: shape ? shape[1] : null });
  $("size-pads").textContent = result ? t("conv.size_pads", result.padding) : t("conv.size_none");
}

// ---- editor and settings ------------------------------------------------------------------------
const editor = new MatrixEditor($("in-editor"), {
  maxRows: MAX_IN, maxCols: MAX_IN,
  onChange: (mat) => { m.x = mat; changed(); },
});

function renderEditor() {
  editor.setLabel(t("conv.input"));
  editor.set(m.x);
  $("in-rows").value = H();
  $("in-cols").value = W();
  if (document.activeElement !== $("in-text")) $("in-text").value = matrixText(m.x);
}

function renderSettings() {
  $("mode").value = m.mode;
  $("pool-r").value = m.pool[0];
  $("pool-c").value = m.pool[1];
  $("strides-auto").checked = m.strides === null;
  $("strides-row").hidden = m.strides === null;
  const s = m.strides || m.pool;
  $("stride-r").value = s[0];
  $("stride-c").value = s[1];
  $("padding").value = m.padding;
  const match = examples.find((e) => JSON.stringify(stateFromRequest(e.request)) === JSON.stringify(currentState(0)));
  $("preset").value = match ? match.id : "";
}

function renderPresets() {
  fillPresets($("preset"), examples);
}

function changed({ keepStep = true } = {}) {
  if (!keepStep) pendingStep = 0;
  renderEditor();
  renderSettings();
  schedule();
}

$("mode").addEventListener("change", () => { m.mode = $("mode").value; changed(); });
$("pool-r").addEventListener("change", () => { m.pool = [intField($("pool-r")), m.pool[1]]; changed({ keepStep: false }); });
$("pool-c").addEventListener("change", () => { m.pool = [m.pool[0], intField($("pool-c"))]; changed({ keepStep: false }); });
$("strides-auto").addEventListener("change", () => {
  m.strides = $("strides-auto").checked ? null : m.pool.slice();
  changed({ keepStep: false });
});
$("stride-r").addEventListener("change", () => { m.strides = [intField($("stride-r")), (m.strides || m.pool)[1]]; changed({ keepStep: false }); });
$("stride-c").addEventListener("change", () => { m.strides = [(m.strides || m.pool)[0], intField($("stride-c"))]; changed({ keepStep: false }); });
$("padding").addEventListener("change", () => { m.padding = $("padding").value; changed({ keepStep: false }); });
const resize = () => { m.x = reshape(m.x, intField($("in-rows")), intField($("in-cols"))); changed({ keepStep: false }); };
$("in-rows").addEventListener("change", resize);
$("in-cols").addEventListener("change", resize);
$("random").addEventListener("click", () => { m.x = randomMatrix(H(), W(), 0, 9); changed({ keepStep: false }); });
$("preset").addEventListener("change", () => {
  const e = examples.find((x) => x.id === $("preset").value);
  if (!e) return;
  loadState(stateFromRequest(e.request));
  changed({ keepStep: false });
});
function textError(code) {
  showTextError($("text-error"), code);
}
$("in-apply").addEventListener("click", () => {
  const parsed = parseMatrix($("in-text").value);
  textError(parsed.error);
  if (parsed.error) return;
  m.x = reshape(parsed.matrix, Math.min(MAX_IN, parsed.matrix.length), Math.min(MAX_IN, parsed.matrix[0].length));
  changed({ keepStep: false });
});
document.addEventListener("matrix-error", (e) => textError(e.detail));

onLangChange(() => {
  renderPresets();
  renderEditor();
  renderSettings();
  relabel();
  showError($("error"), lastError);
  if (result?.steps.length) renderFacts(result.steps[player.index]);
  $("count").textContent = result?.steps.length ? t("pool.count", { n: result.steps[player.index].count }) : "";
  renderSize();
  renderKeras($("keras"), poolKeras({ mode: m.mode, pool: m.pool, strides: m.strides, padding: m.padding, inputShape: [H(), W(), 1] }));
  if (!timer) $("app").removeAttribute("aria-busy");
});

async function init() {
  const res = await getJSON("/api/examples");
  examples = res.ok ? res.data.examples.filter((e) => e.endpoint === "/api/pool") : [];
  const base = examples.find((e) => e.id === "pool-max-valid") || examples[0];
  DEFAULTS = base ? stateFromRequest(base.request)
    : { input: [[1, 2], [3, 4]], mode: "max", pool: [2, 2], strides: null, padding: "valid", step: 0 };
  const s = readState(DEFAULTS);
  try {
    loadState(s);
  } catch {
    loadState(DEFAULTS);
  }
  pendingStep = Math.max(0, Number(s.step) || 0);
  renderPresets();
  renderEditor();
  renderSettings();
  await compute();
}

init();
