// The backprop explainer: pick a layer (convolution, max or average pooling, the transposed convolution), the
// API computes its backward pass (or the transposed convolution) with traces, and this page shows the forward
// pass beside the backward one and animates the gradient flowing back, cell by cell. The state (layer, trace,
// request body) is the URL (trace/session.js); trace/page.js does what /conv, /pool and /backprop share;
// backprop/stage.js draws.
import { BackpropStage } from "../backprop/stage.js";
import { check, FIELDS, fromExample, endpoint, isPool, LECTURE, linkDefaults, offered, switchOp, toBody, VIEWS } from "../backprop/state.js";
import { MatrixEditor } from "../lib/editor.js";
import { t } from "../lib/i18n.js";
import { limits } from "../lib/limits.js";
import { randomMatrix, reshape } from "../lib/matrix.js";
import { startTracePage } from "../trace/page.js";
import { intField, pair } from "../trace/stage.js";

const $ = (id) => document.getElementById(id);
const L = limits.conv;
const memory = {};   // the last state of each layer during this visit
let answer = null;   // the answer on screen
const view = new BackpropStage({ onJump: (r, c) => stage.jump(r, c) });

/** Put `next`'s fields in place of req's (the session keeps its request object). */
function replace(req, next) {
  for (const k of Object.keys(req)) delete req[k];
  Object.assign(req, next);
}

const sameShape = (a, b) => a.length === b.length && a[0].length === b[0].length;

// ---- editors ----------------------------------------------------------------------------------------------
const editor = (id, text, max, label, onChange) => new MatrixEditor($(id), {
  text, maxRows: max, maxCols: max, maxAbs: L.max_abs, label, onChange });
const inEditor = editor("in-editor", "in", L.max_hw, () => t("bp.input"), (m) => stage.edit((req) => {
  if (!sameShape(m, req.input)) req.grad_output = null;
  req.input = m;
}));
const kEditor = editor("k-editor", "k", L.max_k, () => t("bp.kernel"), (m) => stage.edit((req) => {
  if (!sameShape(m, req.kernel)) req.grad_output = null;
  req.kernel = m;
}));
// dL/dy has the output's shape: the API says which (a pasted matrix of another shape gets its 422 explained)
const gEditor = editor("g-editor", "g", L.max_hw * 4, () => t("bp.grad_output"), (m) => stage.edit((req) => { req.grad_output = m; }));

function renderForm(req) {
  const pool = isPool(req);
  document.querySelectorAll("#ops [data-op]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.op === req.op)));
  const views = VIEWS[req.op];
  document.querySelectorAll("#views [data-view]").forEach((b) => {
    b.hidden = views.length < 2 || !views.includes(b.dataset.view);
    b.setAttribute("aria-pressed", String(b.dataset.view === req.view));
  });
  $("views").hidden = views.length < 2;
  // each trace its own note: dL/dx, dL/dW and dL/db of a convolution are three different computations
  $("op-note").dataset.i18n = req.op === "conv" ? `bp.note_conv_${req.view}` : `bp.note_${req.op}`;
  $("op-note").textContent = t($("op-note").dataset.i18n);
  document.querySelectorAll("[data-ops]").forEach((el) => { el.hidden = !el.dataset.ops.split(" ").includes(req.op); });

  $("padding").value = req.padding;
  $("padding").querySelector("option[value=full]").hidden = req.op !== "conv";
  $("padding").querySelector("option[value=full]").disabled = req.op !== "conv";
  const strides = req.strides || req.pool_size;
  [$("stride-r").value, $("stride-c").value] = strides;
  $("strides-row").hidden = pool && req.strides === null;
  if (pool) {
    $("strides-auto").checked = req.strides === null;
    [$("pool-r").value, $("pool-c").value] = req.pool_size;
  } else {
    [$("dil-r").value, $("dil-c").value] = req.dilation_rate;
    $("activation").value = req.activation;
  }
  if (req.op === "transpose") {
    $("opad-on").checked = req.output_padding !== null;
    $("opad-row").hidden = req.output_padding === null;
    [$("opad-r").max, $("opad-c").max] = req.strides.map((s) => String(s - 1));
    [$("opad-r").value, $("opad-c").value] = req.output_padding || [0, 0];
  }
  inEditor.set(req.input);
  $("in-rows").value = req.input.length;
  $("in-cols").value = req.input[0].length;
  if (req.kernel) {
    kEditor.set(req.kernel);
    $("k-rows").value = req.kernel.length;
    $("k-cols").value = req.kernel[0].length;
  }
  if (req.grad_output) gEditor.set(req.grad_output);
}

// ---- the page -----------------------------------------------------------------------------------------------
const stage = startTracePage({
  session: {
    endpoint, preset: "conv-padding", check, fields: FIELDS, examples: offered, fromExample, toBody, defaultsFor: linkDefaults,
    urlKeys: { dilation_rate: "dilation", pool_size: "pool" }, fallback: LECTURE,
  },
  interval: 1500,
  renderForm,
  build(data, req) {
    answer = data;
    view.build(data, req);
    if (data.grad_output) gEditor.set(data.grad_output);
  },
  trace: (data) => view.trace(data),
  outputs: () => view.outputs(),
  place: (index) => view.place(index),
  fill: (tr) => view.makeFill(tr),
  fillRest: () => view.fillRest(),
  step: (st, i) => view.step(st, i),
  facts: (st) => view.facts(st),
  announce: (st) => t("bp.announce", { what: view.facts(st), formula: st.formula }),
  relabel: () => view.relabel(),
  clear() { answer = null; view.clear(); },
  random(req) {
    const x = req.input;
    req.input = randomMatrix(x.length, x[0].length, 0, isPool(req) ? 9 : 5);
    if (req.kernel) req.kernel = randomMatrix(req.kernel.length, req.kernel[0].length, -2, 3);
  },
});

const edit = (fn, options) => stage.edit(fn, options);
/** An edit that changes the output's shape: dL/dy goes back to all ones. */
const reshaping = (fn) => (req) => { fn(req); if ("grad_output" in req) req.grad_output = null; };
const on = (id, fn, options = { restart: true }) => $(id).addEventListener("change", () => edit(reshaping(fn), options));

// a layer, a trace and the explanation's "show it" buttons are choices: each gets a history entry, so Back
// returns to the state before it (the numbers' edits replace the entry on screen); see lib/url.js
document.querySelectorAll("#ops [data-op]").forEach((b) => b.addEventListener("click", () => {
  if (b.dataset.op !== stage.session.req.op) edit((req) => replace(req, switchOp(req, b.dataset.op, memory)), { restart: true, push: true });
}));
document.querySelectorAll("#views [data-view]").forEach((b) => b.addEventListener("click", () => {
  if (b.dataset.view !== stage.session.req.view) edit((req) => { req.view = b.dataset.view; }, { restart: true, push: true });
}));

on("padding", (req) => { req.padding = $("padding").value; });
on("stride-r", (req) => { req.strides = [intField($("stride-r")), (req.strides || req.pool_size)[1]]; keepOutputPadding(req); });
on("stride-c", (req) => { req.strides = [(req.strides || req.pool_size)[0], intField($("stride-c"))]; keepOutputPadding(req); });
on("strides-auto", (req) => { req.strides = $("strides-auto").checked ? null : req.pool_size.slice(); });
on("pool-r", (req) => { req.pool_size = [intField($("pool-r")), req.pool_size[1]]; });
on("pool-c", (req) => { req.pool_size = [req.pool_size[0], intField($("pool-c"))]; });
on("dil-r", (req) => { req.dilation_rate = [intField($("dil-r")), req.dilation_rate[1]]; });
on("dil-c", (req) => { req.dilation_rate = [req.dilation_rate[0], intField($("dil-c"))]; });
on("opad-on", (req) => { req.output_padding = $("opad-on").checked ? [0, 0] : null; });
on("opad-r", (req) => { req.output_padding = [intField($("opad-r"), 0), req.output_padding[1]]; });
on("opad-c", (req) => { req.output_padding = [req.output_padding[0], intField($("opad-c"), 0)]; });
$("activation").addEventListener("change", () => edit((req) => { req.activation = $("activation").value; }));
const resize = (id, key) => (req) => { req[key] = reshape(req[key], intField($(`${id}-rows`)), intField($(`${id}-cols`))); };
on("in-rows", resize("in", "input"));
on("in-cols", resize("in", "input"));
on("k-rows", resize("k", "kernel"));
on("k-cols", resize("k", "kernel"));

/** output_padding must stay smaller than the stride (Keras' rule): a smaller stride lowers it. */
function keepOutputPadding(req) {
  if (req.output_padding) req.output_padding = req.output_padding.map((o, a) => Math.min(o, req.strides[a] - 1));
}

$("g-ones").addEventListener("click", () => edit((req) => { req.grad_output = null; }));
$("g-random").addEventListener("click", () => {
  const g = answer?.grad_output;
  if (g) edit((req) => { req.grad_output = randomMatrix(g.length, g[0].length, -2, 2); });
});

// ---- the explanation's "show it" buttons: the lecture's example, in the state the text talks about ------------
const ONE_HOT = LECTURE.input.map((row, r) => row.map((_, c) => (r === 1 && c === 1 ? 1 : 0))); // dL/da₁₁ = 1
const lastStep = () => Infinity; // the player stops at the last one
const stepAt = (r, c, trace) => (data) => data[trace].steps.findIndex((s) => s.index[0] === r && s.index[1] === c);

function show(next, step) {
  edit((req) => replace(req, check(next)), { step, push: true });
  $("stage-h").scrollIntoView({ block: "start" });
}
$("show-one-hot").addEventListener("click", () => show({ ...LECTURE, grad_output: ONE_HOT }, lastStep));
$("show-ones").addEventListener("click", () => show(LECTURE, lastStep));
$("show-six").addEventListener("click", () => show(LECTURE, stepAt(2, 3, "grad_input_trace")));
$("show-corner").addEventListener("click", () => show(LECTURE, stepAt(1, 1, "grad_input_trace")));
$("show-strides").addEventListener("click", () => show({ ...LECTURE, strides: pair(2) }, 0));
$("show-transpose").addEventListener("click", () => show({ op: "transpose", view: "gather", input: LECTURE.input.map((row) => row.map(() => 1)),
  kernel: LECTURE.kernel, padding: "same" }, stepAt(1, 2, "gather")));
