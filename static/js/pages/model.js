// /model: open a Keras model (a dropped or chosen file, or a sample), see its summary, give it an input that suits
// it, see every layer's output and open the trace of any value. Everything shown comes from the API:
// POST /api/models, GET/DELETE /api/models/{id}, POST /api/models/{id}/predict and /trace.
import { limits } from "../lib/limits.js";
import { getJSON, latest } from "../lib/api.js";
import { showError } from "../lib/errors.js";
import { announce, onLangChange, t } from "../lib/i18n.js";
import { h } from "../lib/dom.js";
import { bindControls, Player } from "../lib/player.js";
import { readState, writeState } from "../lib/url.js";
import { fromNested, tensor } from "../model/arrays.js";
import { InputPanel } from "../model/inputs.js";
import { count, kerasShape, num } from "../model/num.js";
import { markLayer, renderSummary } from "../model/summary.js";
import { renderTrace } from "../model/trace.js";
import { dropZone, fetchSample, SAMPLES, uploadModel } from "../model/upload.js";
import { indexText, LayerView, MAPS_MAX } from "../model/views.js";

const $ = (id) => document.getElementById(id);
const DEFAULTS = { model: null, sample: null, layer: null, cell: null };
const DURING_STROKE_MS = 150;
const state = readState(DEFAULTS);
let summary = null;        // the model's summary (the API's)
let sample = null;         // the bundled sample's {input, keras_output}, when the model is one
let samples = null;        // static/models/samples.json
let result = null;         // the last prediction
let tensors = {};          // layer name -> tensor of the last prediction (the input layer's too)
let traceData = null, traceView = null;
let loadMessage = null, loadError = null, lastError = null;
let busy = false, again = false, timer = null, seq = 0, changedAt = 0;
const postPredict = latest();
const postTrace = latest();
const stale = (res) => res.aborted || (res.ok && !res.data);
const save = () => writeState(state, DEFAULTS);

// ---- errors --------------------------------------------------------------------------------------------
/** The engine's rule with its subject: a rule names none ("is neither a Keras 3 .keras file …"), its field is
 * it, so the detail reads as the API's message does: "file: is neither …". */
const withField = (e) => (e?.field && e.rule ? { ...e, rule: `${e.field}: ${e.rule}` } : e);

/** Show (or, for null, hide) why a model did not open; kept so that a switch of language redraws it. */
function loadFailed(error) {
  loadError = error;
  showError($("load-error"), withField(error), { title: "model.load.error_title" });
  if (error) announce($("load-error").textContent);
}

// ---- opening a model ---------------------------------------------------------------------------------
function status(key, values) {
  loadMessage = key ? [key, values] : null;
  $("load-status").textContent = key ? t(key, values) : "";
}

async function open(blob, filename, sampleName = null) {
  loadFailed(null);
  status("model.load.reading", { name: filename, size: (blob.size / (1 << 20)).toFixed(2) });
  document.querySelector(".load-panel").setAttribute("aria-busy", "true");
  const res = await uploadModel(blob, filename);
  document.querySelector(".load-panel").setAttribute("aria-busy", "false");
  if (!res.ok) {
    status(null);
    forgetModel();   // the model shown before is not what was asked for: only the error stays, not it beneath
    loadFailed(res.error);
    return;
  }
  status("model.load.done", { name: filename });
  state.layer = null;
  state.cell = null;
  await showModel(res.data, sampleName);
}

async function openSample(name) {
  if (!samples) samples = (await getJSON("/static/models/samples.json")).data || {};
  const url = SAMPLES[name] || samples[name]?.file;
  status("model.load.fetching", { name: t(`model.samples.${name}`) });
  const blob = url ? await fetchSample(url) : null;
  if (!blob) { status(null); loadFailed({ code: "sample_missing", field: null, rule: url || name }); return; }
  await open(blob, name === "mnist" ? "mnist_cnn.keras" : url.split("/").pop(), name);
}

async function showModel(s, sampleName) {
  summary = s;
  state.model = s.id;
  state.sample = sampleName;
  if (sampleName && sampleName !== "mnist") {
    if (!samples) samples = (await getJSON("/static/models/samples.json")).data || {};
    sample = samples[sampleName] || null;
  } else sample = null;
  save();
  renderSummary({ name: $("model-name"), table: $("summary"), totals: $("totals"), note: $("summary-note") }, s, pickLayer);
  for (const id of ["summary-panel", "input-panel", "output-panel", "layers-panel"]) $(id).hidden = false;
  hideTrace();
  result = null;
  tensors = {};
  layerButtons();
  await inputs.setModel(s, sample);
  announce(t("model.summary.announce", { name: s.name, n: count(s.total_params) }));
  predict();
}

function forgetModel() {
  summary = null;
  result = null;
  Object.assign(state, DEFAULTS);
  save();
  for (const id of ["summary-panel", "input-panel", "output-panel", "layers-panel"]) $(id).hidden = true;
  closeTrace(false);
}

// ---- predict -------------------------------------------------------------------------------------
const inputs = new InputPanel({
  onChange: ({ live = false } = {}) => {
    changedAt = performance.now();
    if (live) {                                  // while a stroke is drawn: one request at a time, now and then
      if (busy) again = true;
      else if (!timer) timer = setTimeout(() => { timer = null; predict(); }, DURING_STROKE_MS);
      return;
    }
    clearTimeout(timer);
    timer = null;
    predict();
  },
});

async function predict() {
  if (!summary) return;
  const body = inputs.body();
  if (!body) { showResult(null); return; }
  const id = ++seq;
  const started = changedAt || performance.now();
  busy = true;
  again = false;
  $("output-panel").setAttribute("aria-busy", "true");
  // every layer as exact nested lists (gzipped, about the size of the float32 format, and no rounding)
  const res = await postPredict(`/api/models/${summary.id}/predict`, body);
  if (id !== seq) return;
  busy = false;
  $("output-panel").setAttribute("aria-busy", "false");
  if (again) { again = false; timer = setTimeout(() => { timer = null; predict(); }, 0); }
  if (stale(res)) return;
  if (!res.ok) {
    failed(res.error);
    if (res.error?.code === "model_not_found") forgetModel();
    return;
  }
  failed(null);
  const ms = Math.round(performance.now() - started);
  $("timing").dataset.ms = String(ms);
  $("timing").textContent = t("model.output.timing", { ms });
  showResult(res.data);
}

function failed(error) {
  lastError = error;
  showError($("error"), withField(error));
  if (error) announce($("error").textContent);
}

function showResult(data) {
  result = data;
  tensors = {};
  if (data) {
    const given = data.input ?? inputs.given();
    if (given !== null && given !== undefined) tensors[summary.layers[0].name] = fromNested(summary.layers[0].name, given);
    for (const layer of data.layers) tensors[layer.name] = tensor(layer);
  }
  renderSees();
  renderOutput();
  showLayer(state.layer, state.cell);
  if (!data) { closeTrace(false); return; }
  if (state.cell && traceable(state.layer) && tensors[state.layer]?.contains(state.cell)) openTrace(state.layer, state.cell, false);
  else if (state.cell) { state.cell = null; save(); closeTrace(false); }
}

/** The picture the model was given (the API's `input`), for image models. */
function renderSees() {
  const fig = $("sees");
  const x = result?.input;
  fig.hidden = !x;
  if (!x) return;
  const tx = tensors[summary.layers[0].name];
  const spec = summary.image;                                   // hwc, hw, or a flat square (784 = 28×28)
  const hh = spec.layout === "flat" ? spec.height : tx.shape[0];
  const w = spec.layout === "flat" ? spec.width : tx.shape[1];
  const c = spec.layout === "hwc" ? tx.shape[2] : 1;
  const canvas = $("sees-canvas");
  canvas.parentElement.style.aspectRatio = `${w} / ${hh}`;
  canvas.width = w;
  canvas.height = hh;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(w, hh);
  const top = $("value-scale").value === "0..255" ? 255 : 1;
  for (let i = 0; i < hh; i++) {
    for (let j = 0; j < w; j++) {
      const at = spec.layout === "hwc" ? [i, j, 0] : spec.layout === "hw" ? [i, j] : [i * w + j];
      const v = Math.max(0, Math.min(255, Math.round((tx.at(at) / top) * 255)));
      const o = (i * w + j) * 4;
      img.data[o] = img.data[o + 1] = img.data[o + 2] = v;
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  $("sees-caption").textContent = t("model.image.sees", { h: hh, w, c, scale: $("value-scale").value });
}

// ---- the output and the layers --------------------------------------------------------------------
const label = (name) => (index, v) => t("model.layers.cell", { name, index: indexText(index), v: num(v) });
const outputView = new LayerView($("output-view"), {
  onPick: (index) => openTrace(summary.layers.at(-1).name, index, true),
  label: (index, v) => label(summary.layers.at(-1).name)(index, v),
});
const layerView = new LayerView($("layer-view"), {
  onPick: (index) => openTrace(state.layer, index, true),
  label: (index, v) => label(state.layer)(index, v),
});

function renderOutput() {
  const last = summary.layers.at(-1).name;
  const y = tensors[last];
  if (!y) {
    $("output-view").replaceChildren();
    $("output-text").textContent = result ? "" : t("model.output.nothing");
    $("keras-check").textContent = "";
    return;
  }
  if (y.shape.length === 1 && y.size <= 64) {
    outputView.show(y, null);
    let top = 0;
    for (let k = 1; k < y.size; k++) if (y.at([k]) > y.at([top])) top = k;
    // k is an index (the bar's label; for a digit classifier, the digit), never an ordinal ("the 2nd"); one
    // number (a regression, a single sigmoid) has no "largest" and no range of indices to name
    $("output-text").textContent = y.size === 1 ? t("model.output.one", { name: last, v: num(y.at([0])) })
      : t("model.output.vector", { name: last, n: y.size, last: y.size - 1, k: top, v: num(y.at([top])) });
  } else {
    $("output-view").replaceChildren();
    $("output-text").textContent = t("model.output.other", { name: last, shape: kerasShape(y.shape, false) });
  }
  const unchanged = sample && JSON.stringify(inputs.given()) === JSON.stringify(sample.input);
  $("keras-check").textContent = unchanged ? t("model.output.keras", { values: sample.keras_output.map((v) => num(v)).join(", ") }) : "";
}

const traceable = (name) => summary?.layers.find((r) => r.name === name)?.traceable ?? false;

function layerButtons() {
  const box = $("layer-buttons");
  box.replaceChildren();
  for (const row of summary.layers.slice(1)) {
    const b = h("button", { type: "button", dataset: { layer: row.name } }, row.name);
    b.addEventListener("click", () => pickLayer(row.name, false));
    box.append(b);
  }
}

/** The layer to show first: the first with feature maps, else the first. */
function defaultLayer() {
  const rows = summary.layers.slice(1);
  return (rows.find((r) => r.output_shape.length === 3 && r.traceable) || rows[0])?.name ?? null;
}

function pickLayer(name, scroll = true) {
  if (name !== state.layer) { state.cell = null; closeTrace(false); }
  state.layer = name;
  save();
  showLayer(name, state.cell);
  if (scroll) $("layers-panel").scrollIntoView({ block: "start", behavior: "instant" });
}

function showLayer(name, cell) {
  if (!summary) return;
  if (!summary.layers.slice(1).some((r) => r.name === name)) name = defaultLayer();
  state.layer = name;
  for (const b of $("layer-buttons").children) b.setAttribute("aria-pressed", String(b.dataset.layer === name));
  markLayer($("summary"), name);
  const x = tensors[name];
  if (!x) { $("layer-view").replaceChildren(); caption(); return; }
  layerView.show(x, cell);
  caption();
}

function caption() {
  const row = summary?.layers.find((r) => r.name === state.layer);
  const x = tensors[state.layer];
  if (!row || !x) { $("layer-caption").textContent = result ? "" : t("model.layers.empty"); return; }
  const parts = [t("model.layers.caption", { name: row.name, cls: row.class_name, shape: kerasShape(x.shape, false), min: num(x.min), max: num(x.max) })];
  if (x.shape.length === 3) parts.push(t(x.shape[2] > MAPS_MAX ? "model.layers.maps_cut" : "model.layers.maps", { c: x.shape[2], n: MAPS_MAX }));
  if (!row.traceable) parts.push(t("model.layers.not_traceable"));
  $("layer-caption").textContent = parts.join(" ");
}

// ---- traces ------------------------------------------------------------------------------------------
const player = new Player({ interval: 450, onStep: (k) => stepFormula(k) });
bindControls($("trace-player"), player);

function stepFormula(k) {
  if (!traceView?.terms) return;
  const n = traceView.terms.length;
  $("trace-formula").textContent = k >= n - 1 ? traceView.formula : `${traceView.terms.slice(0, k + 1).join("")} …`;
  traceView.highlight(k < n - 1 ? k : null);
}

const source = (name) => tensors[name] || null;

async function openTrace(layer, index, fromUser) {
  const body = inputs.body();
  if (!body || !summary) return;
  const section = $("trace");
  section.hidden = false;
  if (!traceable(layer)) {
    hideTrace();
    section.hidden = false;
    $("trace-heading").textContent = `${layer} ${indexText(index)}`;
    traceFailed({ code: "not_traceable", field: "layer", rule: layer });
    return;
  }
  state.layer = layer;
  state.cell = index;
  save();
  if (fromUser) $("trace-heading").textContent = t("model.trace.loading");
  const res = await postTrace(`/api/models/${summary.id}/trace`, { ...body, layer, index });
  if (stale(res)) return;
  if (!res.ok) { hideTrace(); section.hidden = false; traceFailed(res.error); return; }
  traceFailed(null);
  traceData = res.data;
  drawTrace();
  if (fromUser) {
    announce(t("model.trace.announce", { name: layer, index: indexText(index), v: num(traceData.step.value) }));
    // in view when its top is in the screen's upper half: lower, only its title showed (Enter keeps no pointer there)
    const r = section.getBoundingClientRect();
    if (r.top > window.innerHeight * 0.5 || r.top < 0) section.scrollIntoView({ block: "start", behavior: "instant" });
  }
}

function drawTrace() {
  traceView = renderTrace({ heading: $("trace-heading"), body: $("trace-body"), after: $("trace-after") }, traceData, source);
  const stepwise = traceView.stepwise && traceView.terms;
  $("trace-formula-box").hidden = !traceView.formula;
  $("trace-player").hidden = !stepwise || traceView.terms.length < 2;
  if (stepwise) player.setCount(traceView.terms.length, traceView.terms.length - 1);
  else { player.setCount(0); $("trace-formula").textContent = traceView.formula || ""; }
}

let traceError = null;
function traceFailed(error) {
  traceError = error;
  showError($("trace-error"), withField(error));
  if (error) announce($("trace-error").textContent);
}

function hideTrace() {
  traceError = null;
  showError($("trace-error"), null);
  $("trace").hidden = true;
  $("trace-body").replaceChildren();
  $("trace-after").replaceChildren();
  $("trace-formula-box").hidden = true;
  player.setCount(0);
  traceData = null;
  traceView = null;
}

function closeTrace(refocus = true) {
  hideTrace();
  if (state.cell) { state.cell = null; save(); }
  if (refocus) $("layer-view").querySelector("[tabindex='0']")?.focus();
}

// ---- wiring ------------------------------------------------------------------------------------------
$("load-limit").textContent = t("model.load.limit", { mb: limits.models.max_upload >> 20 });
$("file").addEventListener("change", () => { const f = $("file").files[0]; if (f) open(f, f.name); $("file").value = ""; });
dropZone($("drop"), document.querySelector(".load-panel"), (f) => open(f, f.name));
document.querySelectorAll("[data-sample]").forEach((b) => b.addEventListener("click", () => openSample(b.dataset.sample)));
$("trace-close").addEventListener("click", () => closeTrace(true));
$("forget").addEventListener("click", async () => {
  if (!summary) return;
  const res = await fetch(`/api/models/${summary.id}`, { method: "DELETE" }).catch(() => null);
  if (res && (res.ok || res.status === 404)) { forgetModel(); status("model.load.forgotten"); $("drop").focus?.(); }
});

onLangChange(() => {
  $("load-limit").textContent = t("model.load.limit", { mb: limits.models.max_upload >> 20 });
  if (loadMessage) status(...loadMessage);
  if (loadError) showError($("load-error"), withField(loadError), { title: "model.load.error_title" });
  showError($("error"), withField(lastError));
  showError($("trace-error"), withField(traceError));
  inputs.relabel();
  if (!summary) return;
  renderSummary({ name: $("model-name"), table: $("summary"), totals: $("totals"), note: $("summary-note") }, summary, pickLayer);
  markLayer($("summary"), state.layer);
  if ($("timing").dataset.ms) $("timing").textContent = t("model.output.timing", { ms: $("timing").dataset.ms });
  renderOutput();
  renderSees();
  layerView.relabel();
  caption();
  if (traceData) { const k = player.index; drawTrace(); player.seek(k); }
});

const SAMPLE_NAMES = ["mnist", "simple_rnn", "lstm"];

/** From the URL: a model stored before (?model=<id>), or a sample opened again (?sample=lstm: a link to share). */
async function start() {
  const wanted = SAMPLE_NAMES.includes(state.sample) ? state.sample : null;
  const res = state.model ? await getJSON(`/api/models/${state.model}`) : null;
  if (res?.ok) { await showModel(res.data, wanted); return; }
  const { layer, cell } = state;
  Object.assign(state, DEFAULTS);
  save();
  if (wanted) {
    await openSample(wanted);
    if (summary && layer) { state.layer = layer; state.cell = cell; showLayer(layer, cell); save(); }
  } else if (res) status("model.load.gone");
}

start();
