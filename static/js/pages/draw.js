// /draw: a drawing pad whose strokes go to POST /api/mnist/predict; the answer, the probabilities, the
// preprocessing, the feature maps and (on a click) the trace of one feature-map number come back from
// the API and are only drawn here.
import { limits } from "../lib/limits.js";
import { getJSON, latest } from "../lib/api.js";
import { showError } from "../lib/errors.js";
import { announce, onLangChange, t } from "../lib/i18n.js";
import { setLinkCaveat } from "../lib/lesson.js";
import { readState, writeState } from "../lib/url.js";
import { renderModel } from "../draw/model.js";
import { Maps } from "../draw/maps.js";
import { MAX_POINTS, Pad } from "../draw/pad.js";
import { renderPrep } from "../draw/prep.js";
import { h as el } from "../lib/dom.js";
import { activation, paintMap, percent } from "../draw/paint.js";
import { renderTrace } from "../draw/trace.js";
import { MAX_DECODE, MB, prepared, readDataUrl } from "../lib/pictures.js";

const SIZE = 280;
const DURING_STROKE_MS = 120; // while drawing: at most one prediction per this many ms
// A picture goes to the API as a data URL inside JSON (so /api/mnist/trace can take the same input as the
// prediction): base64 adds a third, so a file may use three quarters of the JSON cap, less room for the rest.
const MAX_FILE = Math.floor((limits.mnist.max_json_bytes - 1024) * 3 / 4);   // sent as it is, as a data URL
const DEFAULTS = { layer: "conv1", cell: null, sample: null };

const $ = (id) => document.getElementById(id);
const state = readState(DEFAULTS);
let input = { kind: "strokes" }; // or {kind: "image", dataUrl, name} or {kind: "pixels", pixels, index, label}
let result = null; // the last prediction
let actsByName = {};
let traceData = null;
let samples = {};
// when the user last changed the input; null until they do (a sample from a link is not their change, and
// "answered in … ms after the last change" would be untrue of the first answer after loading)
let changedAt = null;
let timer = null;
let note = null; // [key, values] of the input note
let busy = false, dirty = false, seq = 0;
const postPredict = latest();
const postTrace = latest();

const pad = new Pad($("pad"), {
  size: SIZE,
  onDraw: () => {
    leaveOtherInputs();
    changedAt = performance.now();
    if (busy) dirty = true; // one request at a time while drawing; the next goes when it is back
    else if (!timer) timer = setTimeout(() => { timer = null; predict(); }, DURING_STROKE_MS);
  },
  onStrokeEnd: () => { changedAt = performance.now(); clearTimeout(timer); timer = null; dirty = false; predict(); },
  onLimit: () => setNote("draw.note.too_many", { n: MAX_POINTS.toLocaleString("en"), s: limits.mnist.max_strokes }),
});

const maps = new Maps({
  buttons: $("layer-buttons"), caption: $("maps-caption"), grid: $("maps"), empty: $("maps-empty"),
  onPick: (layer, cell) => openTrace(layer, cell, true),
  onLayer: (layer) => { state.layer = layer; state.cell = null; closeTrace(false); save(); },
});

function save() { writeState(state, DEFAULTS); }

/** The line under the upload control; `refused`: a file that was not taken, said as a problem (and aloud, as
 * nothing else on the page changes). */
function setNote(key, values = {}, refused = false) {
  note = key ? [key, values, refused] : null;
  renderNote();
  if (refused) announce(t(key, values));
}

function renderNote() {
  $("input-note").textContent = note ? t(note[0], note[1]) : "";
  $("input-note").classList.toggle("refused", Boolean(note?.[2]));
}

/** The name of the file on the pad beside the upload button (the browser's own "No file chosen" is hidden). */
function showFileName(name) { $("upload-name").textContent = name || ""; }

let fileSeq = 0;   // the latest choice of file (or of the pad, a sample, a test digit): older file reads are dropped

function leaveOtherInputs() {
  fileSeq += 1;   // a picture still being read is dropped: the pad is what the student works on now
  if (input.kind !== "strokes") { input = { kind: "strokes" }; setNote(null); showFileName(null); }
  if (state.sample !== null) { state.sample = null; setNote(null); save(); }
}

function inputBody() {
  if (input.kind === "image") return { image: input.dataUrl };
  if (input.kind === "pixels") return { pixels: input.pixels };
  return { strokes: pad.strokes, width: SIZE, height: SIZE };
}

// ---- predict ---------------------------------------------------------------------------------
/** Cancelled by a newer request. api.js reports an abort that lands while the body is being read as
 * {ok: true, data: null}, so that counts too. */
const stale = (res) => res.aborted || (res.ok && !res.data);
const answerPanel = $("answer").closest("section"); // aria-busy while a prediction is on its way

/** Whether the URL holds what the pad shows: a sample digit or nothing (a drawing, a picture or a test digit's
 * pixels are not put in links). */
const linkable = () => state.sample !== null || (input.kind === "strokes" && !pad.strokes.length);

async function predict() {
  setLinkCaveat(linkable() ? null : "draw.link.not_kept");
  const started = changedAt;
  const id = ++seq;
  busy = true;
  dirty = false;
  answerPanel.setAttribute("aria-busy", "true");
  const res = await postPredict("/api/mnist/predict", { ...inputBody(), include_activations: true, activations_format: "float32" });
  if (id !== seq) return; // a newer request is on its way
  busy = false;
  answerPanel.setAttribute("aria-busy", "false");
  if (dirty && pad.current) { dirty = false; clearTimeout(timer); timer = setTimeout(() => { timer = null; predict(); }, 0); }
  if (stale(res)) return;
  if (!res.ok) { failed(res.error); showResult(null); return; }  // no answer left that is not this input's
  failed(null);
  showResult(res.data);
  if (started === null) return; // the first answer after loading: no change of the user's to time (and no line yet)
  const ms = Math.round(performance.now() - started);
  $("timing").dataset.ms = String(ms);
  $("timing").textContent = t("draw.timing", { ms });
}

let lastError = null;
/** The API's error explained by its code (lib/errors.js), or none. */
function failed(error) {
  lastError = error;
  showError($("error"), error);
  if (error) announce($("error").textContent);
}

function showResult(data) {
  result = data;
  actsByName = {};
  if (!data) {
    renderAnswer();
    renderPrep($("prep-steps"), $("prep-empty"), null);
    maps.update(null, state.layer);
    closeTrace(false);
    delete $("timing").dataset.ms;
    $("timing").textContent = "";
    return;
  }
  const acts = (data.activations || []).map(activation);
  for (const a of acts) actsByName[a.name] = a;
  renderAnswer();
  renderPrep($("prep-steps"), $("prep-empty"), data);
  maps.update(data.nothing_drawn ? null : acts, state.layer);
  if (data.nothing_drawn) { closeTrace(false); announce(t("draw.answer.announce_nothing")); return; }
  announce(t("draw.answer.announce", { d: data.digit, p: percent(data.confidence) }));
  if (state.cell && maps.layers.some((l) => l.name === state.layer)) {
    maps.moveTo(state.cell);
    if (maps.cell) openTrace(state.layer, maps.cell, false);
    else { state.cell = null; save(); }
  }
}

function renderAnswer() {
  const data = result;
  const digit = $("answer-digit"), text = $("answer-text"), low = $("low-confidence");
  const bars = $("bars");
  bars.replaceChildren();
  const probs = data && !data.nothing_drawn ? data.probabilities : Array(10).fill(0);
  probs.forEach((p, d) => {
    const li = el("li", { class: data && d === data.digit ? "bar top" : "bar", dataset: { digit: String(d) } });
    const shown = data && !data.nothing_drawn ? percent(p) : "–";  // no prediction: no probabilities either
    li.setAttribute("aria-label", data && !data.nothing_drawn ? t("draw.bars.label", { d, p: shown }) : String(d));
    const track = el("span", { class: "track", "aria-hidden": "true" });
    const fill = el("span", { class: "fill" });
    fill.style.width = `${(p * 100).toFixed(2)}%`;
    track.appendChild(fill);
    li.append(el("span", { class: "label", "aria-hidden": "true" }, String(d)), track, el("span", { class: "value", "aria-hidden": "true" }, shown));
    bars.appendChild(li);
  });
  const padAnswer = $("pad-answer");
  padAnswer.replaceChildren();
  if (data && !data.nothing_drawn) padAnswer.append(el("b", {}, String(data.digit)), t("draw.answer.is", { d: data.digit, p: percent(data.confidence) }));
  if (!data || data.nothing_drawn) {
    digit.textContent = "–";
    digit.dataset.digit = "";
    text.textContent = t(!data && lastError ? "draw.answer.failed" : "draw.answer.nothing");
    low.hidden = true;
    return;
  }
  digit.textContent = String(data.digit);
  digit.dataset.digit = String(data.digit);
  text.textContent = t("draw.answer.is", { d: data.digit, p: percent(data.confidence) });
  low.hidden = !data.low_confidence;
  low.textContent = data.low_confidence ? t("draw.answer.low", {
    d: data.digit, p: percent(data.confidence), r: data.runner_up, q: percent(data.probabilities[data.runner_up]),
  }) : "";
}

// ---- trace -----------------------------------------------------------------------------------
function layerInput(name) {
  if (name === "input") {
    if (!result?.preprocessed) return null;
    return { shape: [28, 28, 1], at: (i, j) => result.preprocessed[i][j], max: 1 };
  }
  return actsByName[name] || null;
}

/** The conv page can replay a trace of the first layer when it fits the API's caps (one channel, a
 * 28×28 input, a kernel of at most limits.conv.max_k). */
function convLink(data) {
  const [kh, kw, c] = data.step.kernel_shape || [];
  if (data.kind !== "conv2d" || data.input_from !== "input" || c !== 1 || !result?.preprocessed) return null;
  const cap = limits.conv;
  if (kh > cap.max_k || kw > cap.max_k || result.preprocessed.length > cap.max_hw || c > cap.max_c) return null;
  const round = (v) => Math.round(v * 10000) / 10000;
  const p = data.step.padding;
  const params = new URLSearchParams({
    input: JSON.stringify(result.preprocessed.map((row) => row.map(round))),
    kernel: JSON.stringify(data.step.weights.map((row) => row.map((w) => round(w[0])))),
    bias: JSON.stringify([round(data.step.bias)]),
    padding: p.top + p.bottom + p.left + p.right === 0 ? "valid" : JSON.stringify([[p.top, p.bottom], [p.left, p.right]]),
    activation: data.step.activation_formula ? "relu" : "linear",
    step: String(data.index[0] * data.output_shape[1] + data.index[1]),
  });
  return `/conv?${params}`;
}

async function openTrace(layer, cell, fromUser) {
  state.layer = layer;
  state.cell = cell;
  save();
  const section = $("trace");
  section.hidden = false;
  if (fromUser) $("trace-heading").textContent = t("draw.trace.loading");
  const res = await postTrace("/api/mnist/trace", { ...inputBody(), layer, index: cell });
  if (stale(res)) return;
  if (!res.ok) { failed(res.error); return; }
  traceData = res.data;
  renderTrace($("trace-heading"), $("trace-body"), traceData, layerInput, convLink);
  if (fromUser) {
    const [i, j, f] = cell;
    announce(t("draw.trace.announce", { name: layer, f, i, j, v: traceData.step.value }));
    const r = section.getBoundingClientRect();
    if (r.top > window.innerHeight - 80) section.scrollIntoView({ block: "start", behavior: "instant" });
  }
}

function closeTrace(refocus = true) {
  $("trace").hidden = true;
  traceData = null;
  if (state.cell) { state.cell = null; save(); }
  if (refocus) maps.canvases?.[maps.cell?.[2] ?? 0]?.focus();
}

// ---- inputs: samples, upload, misclassified test digits ----------------------------------------
/** byUser: false for the sample a link names, shown on loading (its answer is not timed). */
function loadSample(d, byUser = true) {
  fileSeq += 1;
  if (!samples[d]) return;
  input = { kind: "strokes" };
  showFileName(null);
  pad.setStrokes(samples[d]);
  state.sample = d;
  save();
  setNote("draw.note.sample", { d });
  changedAt = byUser ? performance.now() : null;
  predict();
}

function labelSamples() {
  document.querySelectorAll("[data-sample]").forEach((b) => b.setAttribute("aria-label", t("draw.samples.button", { d: b.dataset.sample })));
}

$("samples").addEventListener("click", (e) => {
  const b = e.target.closest("[data-sample]");
  if (b) loadSample(Number(b.dataset.sample));
});

/** A chosen file: refused here when it is too large or not a picture (the pad keeps what it showed), else shown
 * on the pad and sent. */
async function takeFile(file) {
  const seq = ++fileSeq;
  const tooBig = (max) => setNote("draw.note.file_too_big", { size: MB(file.size), max: MB(max) }, true);
  // a picture larger than the API takes (a phone's photo) is shrunk here first, and one in a format it does not read
  // (GIF, BMP, AVIF, ... whatever this browser decodes) is converted to PNG; the others go as they are
  const { unopened, type, small, sizes, deep, tooBig: over } = await prepared(file,
    { maxSide: limits.mnist.max_image_side, maxBytes: MAX_FILE });
  if (seq !== fileSeq) return;
  if (unopened) { tooBig(MAX_DECODE); return; }
  if (!type && !small) { setNote("draw.note.not_picture", { name: file.name }, true); return; }
  if (over) { tooBig(MAX_FILE); return; }   // not decodable here, and too big to send
  const dataUrl = small ? small.dataUrl : await readDataUrl(file, type);
  if (seq !== fileSeq) return;
  const img = new Image();
  img.onload = () => pad.setImage(img);
  img.src = dataUrl;
  input = { kind: "image", dataUrl, name: file.name };
  showFileName(file.name);
  state.sample = null;
  save();
  if (deep) setNote("draw.note.image_deep", sizes);
  else if (small && !type) setNote("draw.note.image_converted", sizes);
  else if (small) setNote("draw.note.image_shrunk", sizes);
  else setNote("draw.note.image", { name: file.name });
  changedAt = performance.now();
  predict();
}

$("upload").addEventListener("change", () => {
  const file = $("upload").files[0];
  $("upload").value = ""; // so that choosing the same file again, after drawing, is a change too
  if (file) takeFile(file);
});

function runMistake(m) {
  fileSeq += 1;
  const pixels = m.pixels.map((row) => row.map((v) => Math.round((v / 255) * 10000) / 10000));
  const digit = document.createElement("canvas");
  paintMap(digit, 28, 28, (i, j) => pixels[i][j]);
  pad.setImage(digit);
  input = { kind: "pixels", pixels };
  showFileName(null);
  state.sample = null;
  save();
  setNote("draw.note.pixels", m);
  changedAt = performance.now();
  predict();
  $("pad").scrollIntoView({ block: "center", behavior: "instant" });
  $("answer-heading").setAttribute("tabindex", "-1");
  $("answer-heading").focus();
}

$("undo").addEventListener("click", () => { leaveOtherInputs(); pad.undo(); changedAt = performance.now(); predict(); });
$("clear").addEventListener("click", () => { leaveOtherInputs(); pad.clear(); changedAt = performance.now(); predict(); });
$("trace-close").addEventListener("click", () => closeTrace(true));

// ---- model card -----------------------------------------------------------------------------
let card = null;
const modelNodes = {
  summary: $("model-summary"), lossCanvas: $("curve-loss"), accCanvas: $("curve-acc"), history: $("history"),
  confusion: $("confusion"), mistakes: $("mistakes"), architecture: $("architecture"),
  robustSummary: $("robust-summary"), recall: $("recall"), robustConfusion: $("robust-confusion"), training: $("training"),
};

async function loadCard() {
  const res = await getJSON("/api/mnist/model");
  if (!res.ok) { $("model-missing").hidden = false; return; }
  card = res.data;
  maps.setArchitecture(card.architecture);
  renderModel(card, modelNodes, runMistake);
  maps.renderCaption();
}

// presenter mode shows the charts larger (lib/present.js sends a resize when it is switched): drawn again to fit
let chartWidth = 0;
window.addEventListener("resize", () => {
  const width = $("curve-loss").getBoundingClientRect().width;
  if (card && Math.abs(width - chartWidth) > 1) renderModel(card, modelNodes, runMistake);
  chartWidth = width;
});

onLangChange(() => {
  labelSamples();
  showError($("error"), lastError);
  renderNote();
  if ($("timing").dataset.ms) $("timing").textContent = t("draw.timing", { ms: $("timing").dataset.ms });
  renderAnswer();  // also with no answer: the text says why (the template's data-i18n says "nothing drawn")
  if (result) { renderPrep($("prep-steps"), $("prep-empty"), result); maps.renderGrid(); }
  if (traceData) renderTrace($("trace-heading"), $("trace-body"), traceData, layerInput, convLink);
  if (card) renderModel(card, modelNodes, runMistake);
});

// ---- start ------------------------------------------------------------------------------------
async function start() {
  renderAnswer();
  labelSamples();
  const res = await getJSON("/static/js/draw/samples.json");
  if (res.ok) samples = res.data.digits;
  loadCard();
  if (state.sample !== null && samples[state.sample]) loadSample(state.sample, false);
  else predict();
}

start();
