// The pooling explainer: max or average over each window, from the API's trace. The padded input is
// drawn from the API's padded_input (null: a padding cell); the winning cell (the API's argmax) is
// outlined for max; for average the formula Σ / n counts only real cells. trace/page.js does what
// /conv and /pool share; the request is the page state (trace/session.js).
import { MatrixEditor } from "../lib/editor.js";
import { GridView } from "../lib/grid.js";
import { t, tn } from "../lib/i18n.js";
import { limits } from "../lib/limits.js";
import { isMatrix, maxAbsOf, randomMatrix, reshape } from "../lib/matrix.js";
import { cellName } from "../lib/names.js";
import { startTracePage } from "../trace/page.js";
import { gridsIn, intField, labelGrids, pair } from "../trace/stage.js";

const $ = (id) => document.getElementById(id);
const L = limits.conv;

/** A request made whole and within the editor's caps (which are the API's). */
function check(r) {
  if (!isMatrix(r.input)) throw new Error("not a matrix");
  return {
    input: reshape(r.input, Math.min(L.max_hw, r.input.length), Math.min(L.max_hw, r.input[0].length)),
    mode: r.mode === "average" ? "average" : "max",
    pool_size: pair(r.pool_size ?? 2),
    strides: r.strides == null ? null : pair(r.strides),
    padding: r.padding === "same" ? "same" : "valid",
  };
}

// ---- the stage ---------------------------------------------------------------------------------------
let padded = [];
let outputs = [];
let answer = null;
const detail = new GridView($("detail"));

function build(data) {
  answer = data;
  const pi = data.padded_input; // null marks a padding cell
  const inMax = maxAbsOf(pi);
  padded = gridsIn($("padded"), padded, 1);
  padded[0].resize(pi.length, pi[0].length);
  padded[0].fitValues(pi);
  detail.limit = padded[0].cap(); // the window writes its numbers as the padded input does (and the formula)
  detail.fitValues(pi);
  for (let r = 0; r < pi.length; r++) {
    for (let c = 0; c < pi[0].length; c++) padded[0].set(r, c, pi[r][c], inMax, { pad: pi[r][c] === null });
  }
  ["win", "now", "arg"].forEach((cls) => padded[0].mark(cls, []));
  outputs = gridsIn($("output"), outputs, 1, () => ({ onCell: (r, c) => stage.jump(r, c) }));
  const [oh, ow] = data.output_shape;
  outputs[0].resize(oh, ow);
  outputs[0].fitValues(data.output);
  for (let r = 0; r < oh; r++) for (let c = 0; c < ow; c++) outputs[0].set(r, c, null);
  relabel();
}

function relabel(data = answer, i = 0) {
  labelGrids(padded, t("conv.padded"));
  labelGrids(outputs, t("conv.output"));
  detail.setLabel(t("pool.window"));
  const max = stage.session.req.mode === "max";
  $("legend-arg").hidden = !max;
  $("legend-arg-text").hidden = !max;
  $("count").textContent = data?.steps.length ? tn("pool.count", data.steps[i].count) : "";
}

// The engine writes the formula with its own rounding (0.00012 as "0.0001"); the grids follow lib/numfmt.js at
// their width ("1.2e-4"). So that a number reads the same in the grids and in the formula, the formula is written
// again from the step's numbers with the grids' texts: the inputs as the padded input's cells, the result as the
// output's. A formula of a layout this page does not know is shown as the engine wrote it.
const paren = (s) => (s.startsWith("-") ? `(${s})` : s);
const inText = (v) => padded[0].textOf(v);
const outText = (v) => outputs[0].textOf(v);

/** Rewrite st.terms and st.formula (what trace/page.js shows) with the grids' texts; the engine's are kept. */
function writeStep(st) {
  st.engine ??= { terms: st.terms, formula: st.formula };
  const terms = st.engine.terms, real = st.inputs.filter((v) => v !== null), last = terms[terms.length - 1];
  let mine = null;
  if (terms.length === real.length + 1 && real.length) {
    const avg = /^\) \/ (\d+) = /.exec(last);
    if (terms[0].startsWith("max(") && last.startsWith(") = ")) {
      mine = [`max(${inText(real[0])}`, ...real.slice(1).map((v) => `, ${inText(v)}`), `) = ${outText(st.value)}`];
    } else if (terms[0].startsWith("(") && avg) {
      mine = [`(${inText(real[0])}`, ...real.slice(1).map((v) => ` + ${paren(inText(v))}`), `) / ${avg[1]} = ${outText(st.value)}`];
    }
  }
  st.terms = mine || terms;
  st.formula = st.terms.join("");
}

function step(st) {
  writeStep(st);
  const g = padded[0], win = st.window;
  const pw = win.filter(([r]) => r === win[0][0]).length; // the window's width
  const cell = (n) => [Math.floor(n / pw), n % pw];
  const inMax = maxAbsOf(answer.padded_input);
  g.mark("win", win);
  g.mark("arg", []);
  detail.resize(win.length / pw, pw);
  detail.mark("arg", []);
  st.inputs.forEach((v, n) => detail.set(...cell(n), v, inMax, { pad: v === null }));
  detail.mark("skip", win.map((_, n) => cell(n)).filter((_, n) => st.inputs[n] === null));
  g.reveal(...win[win.length - 1]);
  g.reveal(...win[0]);
  $("count").textContent = tn("pool.count", st.count);
  const real = st.inputs.map((v, n) => st.inputs.slice(0, n + 1).filter((u) => u !== null).length);
  return {
    n: win.length,
    draw: (k) => g.mark("now", k > 0 && k < win.length ? [win[k - 1]] : []),
    terms: (k) => (k > 0 ? real[k - 1] : 0), // one term per real cell met
    done() {
      g.mark("now", []);
      if (!st.argmax) return;
      g.mark("arg", [st.argmax]);
      detail.mark("arg", [cell(win.findIndex(([a, b]) => a === st.argmax[0] && b === st.argmax[1]))]);
    },
  };
}

function facts(st) {
  const [r, c] = st.index;
  const why = st.argmax ? tn("pool.fact_max", st.count) : tn("pool.fact_avg", st.count, { s: outText(st.sum) });
  return `${cellName(r, c)} = ${outText(st.value)}  ·  ${why}`;
}

function clear() {
  $("count").textContent = "";
}

function size(req, data) {
  const s = req.strides || req.pool_size, x = req.input;
  const pads = data?.padding ?? (req.padding === "valid" ? { top: 0, bottom: 0, left: 0, right: 0 } : null);
  return { rows: { n: x.length, k: req.pool_size[0], d: null, s: s[0] }, cols: { n: x[0].length, k: req.pool_size[1], d: null, s: s[1] }, pads };
}

// ---- editor and settings ----------------------------------------------------------------------------
const editor = new MatrixEditor($("in-editor"), {
  text: "in", maxRows: L.max_hw, maxCols: L.max_hw, maxAbs: L.max_abs, label: () => t("conv.input"),
  onChange: (m) => stage.edit((req) => { req.input = m; }, { restart: m.length !== stage.session.req.input.length }),
});

function renderForm(req) {
  editor.set(req.input);
  $("in-rows").value = req.input.length;
  $("in-cols").value = req.input[0].length;
  $("mode").value = req.mode;
  [$("pool-r").value, $("pool-c").value] = req.pool_size;
  $("strides-auto").checked = req.strides === null;
  $("strides-row").hidden = req.strides === null;
  [$("stride-r").value, $("stride-c").value] = req.strides || req.pool_size;
  $("padding").value = req.padding;
}

const stage = startTracePage({
  session: {
    endpoint: "/api/pool", preset: "pool-max-valid", check, urlKeys: { pool_size: "pool" },
    fallback: { input: [[1, 2], [3, 4]] },
  },
  interval: 1100,
  renderForm, build, outputs: () => outputs, step, facts, size, clear, relabel,
  announce: (st) => t("pool.announce", { cell: cellName(st.index[0], st.index[1]), formula: st.formula }),
  random(req) { req.input = randomMatrix(req.input.length, req.input[0].length, 0, 9); },
});

const on = (id, fn, restart = true) => $(id).addEventListener("change", () => stage.edit(fn, { restart }));
on("mode", (req) => { req.mode = $("mode").value; }, false);
on("pool-r", (req) => { req.pool_size = [intField($("pool-r")), req.pool_size[1]]; });
on("pool-c", (req) => { req.pool_size = [req.pool_size[0], intField($("pool-c"))]; });
on("strides-auto", (req) => { req.strides = $("strides-auto").checked ? null : req.pool_size.slice(); });
on("stride-r", (req) => { req.strides = [intField($("stride-r")), (req.strides || req.pool_size)[1]]; });
on("stride-c", (req) => { req.strides = [(req.strides || req.pool_size)[0], intField($("stride-c"))]; });
on("padding", (req) => { req.padding = $("padding").value; });
const resize = (req) => { req.input = reshape(req.input, intField($("in-rows")), intField($("in-cols"))); };
on("in-rows", resize);
on("in-cols", resize);
