// The trace of one value of an uploaded model's layer (POST /api/models/{id}/trace), drawn from the API's step:
// window kinds (conv2d, conv1d, dense, pooling) as the numbers met, the weights and the products, with the formula
// built up from the API's `terms` as on /conv; recurrent cells as the unit's gates and the API's formulas as on
// /rnn; one-input layers (activation, batch normalization, rescaling, embedding, copies) as their formula.
// Nothing is computed here: term k of a window step is the k-th product (channel by channel, row by row) or the
// k-th real input of a pooling window, which is how the engine writes them.
import { t } from "../lib/i18n.js";
import { textOn } from "../lib/colors.js";
import { h } from "../lib/dom.js";
import { overlay } from "../draw/paint.js";
import { indexText } from "./views.js";
import { num, showNumber } from "./num.js";
import { css, paintCells, scaleFor } from "./paint.js";

const WINDOW_KINDS = new Set(["conv2d", "conv1d", "dense", "max_pool", "average_pool"]);
const GATE_ORDER = ["input", "forget", "update", "reset", "candidate", "output", "h"];

/** A table of numbers: rows of values (null: a padding cell), optional headers, coloured when a scale is given. */
function numbers(caption, rows, { rowHead = null, colHead = null, scale = null, cls = "" } = {}) {
  const table = h("table", { class: `numbers ${cls}`.trim() });
  table.append(h("caption", {}, caption));
  if (colHead) table.append(h("tr", {}, [rowHead ? h("th", { class: "corner" }, "") : null, ...colHead.map((c) => h("th", { scope: "col" }, c))]));
  const cells = [];
  rows.forEach((row, a) => {
    const tr = h("tr", {}, [rowHead ? h("th", { scope: "row" }, rowHead[a]) : null]);
    cells.push(row.map((v) => {
      const td = h("td", {}, v === null ? num(v) : null);
      if (v !== null) showNumber(td, v);
      if (v === null) td.classList.add("pad");
      else if (scale) { td.style.background = css(v, scale); td.style.color = textOn(td.style.background); }
      tr.append(td);
      return td;
    }));
    table.append(tr);
  });
  return { table, cells };
}

const maxAbs = (rows) => ({ signed: true, max: Math.max(1e-12, ...rows.flat().map((v) => Math.abs(v ?? 0))) });

/** The layer's input as a picture (one channel) with the window outlined; null when it is not a 2-D map. */
function windowPicture(source, data, channel) {
  if (!source?.values || source.shape.length !== 3) return null;
  const [hh, w, c] = source.shape;
  const pads = data.padding || { top: 0, left: 0 };
  const rows = data.step.window.map((p) => p[0]), cols = data.step.window.map((p) => p[1]);
  const win = { top: Math.min(...rows) - pads.top, left: Math.min(...cols) - pads.left,
    height: Math.max(...rows) - Math.min(...rows) + 1, width: Math.max(...cols) - Math.min(...cols) + 1 };
  const canvas = h("canvas", { class: "pixelated", "aria-hidden": "true" });
  const frame = h("div", { class: "frame" }, [canvas]);
  const caption = h("figcaption", { class: "small" });
  const fig = h("figure", { class: "trace-window" }, [frame, caption]);
  overlay(frame, "window-outline", win, hh, w);
  const scale = scaleFor(source.min, source.max);
  const paint = (ch) => {
    paintCells(canvas, hh, w, (i, j) => source.at([i, j, ch]), scale);
    caption.textContent = c > 1 ? t("model.trace.picture", { from: source.name, c: ch, n: c })
      : t("model.trace.picture_one", { from: source.name });
  };
  paint(channel);
  return { fig, paint };
}

function sums(step, value) {
  const dl = h("dl", { class: "trace-sums" });
  const pairs = [["model.trace.sum", step.sum], ["model.trace.bias", step.bias], ["model.trace.pre", step.pre_activation]];
  for (const [key, v] of pairs) dl.append(h("dt", {}, t(key)), h("dd", {}, num(v)));
  if (step.activation_formula) dl.append(h("dt", {}, t("model.trace.activation")), h("dd", {}, step.activation_formula));
  dl.append(h("dt", {}, t("model.trace.value")), h("dd", {}, num(value)));
  return dl;
}

/** conv2d: one channel at a time (a select when there are several); term k is channel ⌊k / (kh·kw)⌋, row, column. */
function conv2d(body, data, source) {
  const step = data.step;
  const [kh, kw, C] = [step.inputs.length, step.inputs[0].length, step.inputs[0][0].length];
  let channel = 0;
  const picture = windowPicture(source, data, channel);
  const grids = h("div", { class: "trace-grids" });
  let cells = [];
  const select = h("select", { id: "trace-channel" });
  const fill = () => {
    const of = (nested) => nested.map((row) => row.map((cell) => cell[channel]));
    const ins = numbers(t("model.trace.inputs"), of(step.inputs));
    const ws = numbers(t("model.trace.weights"), of(step.weights), { scale: maxAbs(of(step.weights)) });
    const ps = numbers(t("model.trace.products"), of(step.products), { scale: maxAbs(of(step.products)) });
    grids.replaceChildren(ins.table, h("span", { class: "op", "aria-hidden": "true" }, "×"), ws.table,
      h("span", { class: "op", "aria-hidden": "true" }, "="), ps.table);
    cells = [ins.cells, ws.cells, ps.cells];
  };
  const show = (c) => { channel = c; select.value = String(c); picture?.paint(c); fill(); };
  if (C > 1) {
    for (let c = 0; c < C; c++) select.append(h("option", { value: String(c) }, t("model.trace.channel_option", { c })));
    select.addEventListener("change", () => show(Number(select.value)));
    body.append(h("label", { class: "channel-pick" }, [h("span", {}, t("model.trace.channel", { n: C })), select]));
  }
  fill();
  body.append(h("p", { class: "small muted" }, t("model.trace.window2d", { kh, kw, from: data.input_from })));
  body.append(h("div", { class: "trace-top" }, [picture?.fig ?? null, grids]));
  return {
    after: sums(step, step.value),
    highlight(k) {
      const per = kh * kw, c = Math.floor(k / per), a = Math.floor((k % per) / kw), b = k % kw;
      if (c !== channel && c < C) show(c);
      cells.forEach((table) => table[a]?.[b]?.classList.add("now"));
    },
  };
}

/** conv1d: (k, C) tables, time steps down, channels across; term k is channel ⌊k / kl⌋, step k mod kl. */
function conv1d(body, data) {
  const step = data.step;
  const kl = step.inputs.length, C = step.inputs[0].length;
  const rowHead = step.window.map((p) => `t=${p[0]}`);
  const colHead = Array.from({ length: C }, (_, c) => `c${c}`);
  const ins = numbers(t("model.trace.inputs"), step.inputs, { rowHead, colHead });
  const ws = numbers(t("model.trace.weights"), step.weights, { rowHead, colHead, scale: maxAbs(step.weights) });
  const ps = numbers(t("model.trace.products"), step.products, { rowHead, colHead, scale: maxAbs(step.products) });
  body.append(h("p", { class: "small muted" }, t("model.trace.window1d", { k: kl, from: data.input_from })));
  body.append(h("div", { class: "trace-grids" }, [ins.table, h("span", { class: "op", "aria-hidden": "true" }, "×"), ws.table,
    h("span", { class: "op", "aria-hidden": "true" }, "="), ps.table]));
  const cells = [ins.cells, ws.cells, ps.cells];
  return { after: sums(step, step.value),
    highlight(k) { const c = Math.floor(k / kl), a = k % kl; cells.forEach((table) => table[a]?.[c]?.classList.add("now")); } };
}

/** dense: one row per input: input, weight, product; term k is row k. */
function dense(body, data) {
  const step = data.step;
  const rows = step.inputs.map((v, k) => [v, step.weights[k], step.products[k]]);
  const table = numbers(t("model.trace.dense_table", { n: rows.length, from: data.input_from }), rows, {
    rowHead: step.window.map((p) => indexText(p)),
    colHead: [t("model.trace.input"), t("model.trace.weight"), t("model.trace.product")], cls: "dense-table" });
  body.append(h("div", { class: "dense-box" }, [table.table]));
  return { after: sums(step, step.value),
    highlight(k) {
      const row = table.cells[k];
      if (!row) return;
      row.forEach((td) => td.classList.add("now"));
      const box = table.table.parentElement, top = row[0].offsetTop;   // scroll the table, never the page
      if (top < box.scrollTop || top > box.scrollTop + box.clientHeight - 24) box.scrollTop = top - box.clientHeight / 2;
    } };
}

/** pooling: the window as rows × columns (padding cells shown as ·, not counted); term k is the k-th real cell. */
function pool(body, data, source) {
  const step = data.step;
  const two = step.window[0].length === 2;
  const rowsOf = [...new Set(step.window.map((p) => p[0]))];
  const colsOf = two ? [...new Set(step.window.map((p) => p[1]))] : [0];
  const grid = rowsOf.map(() => colsOf.map(() => null));
  const where = step.window.map((p) => [rowsOf.indexOf(p[0]), two ? colsOf.indexOf(p[1]) : 0]);
  where.forEach(([a, b], k) => { grid[a][b] = step.inputs[k]; });
  const table = numbers(t("model.trace.window_values", { from: data.input_from }), grid, {
    rowHead: rowsOf.map((r) => (two ? `${r}` : `t=${r}`)), colHead: two ? colsOf.map(String) : null });
  if (step.argmax) {
    const k = step.window.findIndex((p) => p.every((v, a) => v === step.argmax[a]));
    if (k >= 0) table.cells[where[k][0]][where[k][1]].classList.add("winner");
  }
  const picture = two ? windowPicture(source, data, data.index[2] ?? 0) : null;
  body.append(h("div", { class: "trace-top" }, [picture?.fig ?? null, table.table]));
  const real = where.filter((_, k) => step.inputs[k] !== null);
  const after = h("dl", { class: "trace-sums" }, [h("dt", {}, t("model.trace.count")), h("dd", {}, String(step.count)),
    ...(step.sum !== null && step.sum !== undefined ? [h("dt", {}, t("model.trace.sum")), h("dd", {}, num(step.sum))] : []),
    h("dt", {}, t("model.trace.value")), h("dd", {}, num(step.value))]);
  return { after, highlight(k) { const at = real[k]; if (at) table.cells[at[0]][at[1]].classList.add("now"); } };
}

/** One-input layers: what the step names (mean, variance, ... for batch normalization; the row of an embedding). */
function single(body, data) {
  const step = data.step;
  const facts = h("dl", { class: "trace-sums" });
  const add = (key, v) => facts.append(h("dt", {}, t(key)), h("dd", {}, v));
  if (step.window?.length) add("model.trace.source", `${data.input_from} ${indexText(step.window[0])}`);
  if (step.inputs?.length) add("model.trace.input", num(step.inputs[0]));
  if (data.kind === "embedding") add("model.trace.row", String(step.row));
  for (const name of ["mean", "variance", "epsilon", "gamma", "beta"]) {
    if (step[name] !== null && step[name] !== undefined) add(`model.trace.bn_${name}`, num(step[name]));
  }
  add("model.trace.value", num(step.value));
  body.append(h("p", { class: "small muted" }, t(`model.trace.kind_${data.kind}`)));
  return { after: facts, highlight() {} };
}

/** SimpleRNN, LSTM, GRU: the step's vectors, the traced unit's gates and its formulas (the API's text, as /rnn). */
function recurrent(body, data) {
  const step = data.step, u = step.unit;
  const vec = (caption, values) => numbers(caption, [values], { colHead: values.map((_, k) => String(k)) }).table;
  body.append(h("p", { class: "small muted" }, t("model.trace.cell", { t: step.t, row: step.input_row, u, from: data.input_from })));
  const parts = [vec(t("model.trace.x", { t: step.t }), step.x), vec(t("model.trace.h_prev"), step.h_prev)];
  if (step.c_prev) parts.push(vec(t("model.trace.c_prev"), step.c_prev));
  body.append(h("div", { class: "trace-grids vectors" }, parts));
  const gates = Object.keys(step.pre_activations).sort((a, b) => GATE_ORDER.indexOf(a) - GATE_ORDER.indexOf(b));
  const rows = gates.map((g) => [step.pre_activations[g][u], g in step.gates ? step.gates[g][u] : step.h[u]]);
  body.append(numbers(t("model.trace.gates", { u }), rows, { rowHead: gates.map((g) => t(`model.gate.${g}`)),
    colHead: [t("model.trace.pre_short"), t("model.trace.after_short")] }).table);
  const list = h("ul", { class: "flist" });
  for (const [key, text] of Object.entries(step.formulas || {})) {
    list.append(h("li", {}, [h("span", { class: "fname small muted" }, t(`model.formula.${key}`)), h("p", { class: "formula" }, text)]));
  }
  const after = h("div", { class: "formulas" }, [h("h4", {}, t("model.trace.formulas")),
    step.formulas ? list : h("p", { class: "muted" }, t("model.trace.no_formulas"))]);
  const tail = h("dl", { class: "trace-sums" }, [h("dt", {}, t("model.trace.h", { t: step.t })), h("dd", {}, num(step.h[u])),
    ...(step.c ? [h("dt", {}, t("model.trace.c", { t: step.t })), h("dd", {}, num(step.c[u]))] : [])]);
  after.append(tail);
  return { after, highlight() {} };
}

/**
 * Fill the trace section for the API's `data`. source(name) gives the layer's input as a tensor (or null).
 * Returns {terms, formula, highlight(k), clear()}: the window kinds' formula parts for the player, or terms null.
 */
export function renderTrace({ heading, body, after }, data, source) {
  heading.textContent = t("model.trace.title", { name: data.layer, cls: data.class_name, index: indexText(data.index), v: num(data.step.value) });
  body.replaceChildren();
  after.replaceChildren();
  const input = source(data.input_from);
  const kind = data.kind;
  const view = kind === "conv2d" ? conv2d(body, data, input) : kind === "conv1d" ? conv1d(body, data)
    : kind === "dense" ? dense(body, data) : kind === "max_pool" || kind === "average_pool" ? pool(body, data, input)
      : ["simple_rnn", "lstm", "gru"].includes(kind) ? recurrent(body, data) : single(body, data);
  after.append(view.after, h("p", { class: "small muted model-value" }, t("model.trace.model_value", { v: num(data.model_value) })));
  const windowed = WINDOW_KINDS.has(kind);
  return {
    terms: data.step.terms || null,
    formula: data.step.formula || null,
    stepwise: windowed,
    highlight(k) {
      body.querySelectorAll(".now").forEach((el) => el.classList.remove("now"));
      if (k !== null) view.highlight(k);
    },
  };
}
