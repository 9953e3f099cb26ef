// CNN architectures explorer: the engine walks each network (GET /api/architectures/{id}); this page draws
// what came back — a diagram of the shapes, a keyboard list of layers, and the arithmetic of the selected one.
import { getJSON, postJSON } from "../lib/api.js";
import { announce, has, onLangChange, t } from "../lib/i18n.js";
import { readState, writeState } from "../lib/url.js";
import { explain, showError as showApiError } from "../lib/errors.js";
import { h as el, s as svgEl } from "../lib/dom.js";
import { presenting } from "../lib/present.js";
import { rfCells, rfHeader, rfPanel } from "../architectures/rf.js";

const $ = (id) => document.getElementById(id);
const DEFAULTS = { net: "lenet5", layer: 0, own: null };
const OWN_URL_MAX = 4000; // a description longer than this (as JSON) is not put in the URL

const KIND = {
  Conv2D: "conv", Dense: "dense", MaxPooling2D: "pool", AveragePooling2D: "pool", GlobalAveragePooling2D: "pool",
  GlobalMaxPooling2D: "pool", AdaptiveAvgPool2d: "pool", BatchNormalization: "norm", Activation: "norm",
  ReLU: "norm", Softmax: "norm", Dropout: "norm", LRN: "norm", Concatenate: "merge", Add: "merge",
  ZeroPadding2D: "shape", Flatten: "shape",
};
const THIN = new Set(["norm"]);

const state = { ...DEFAULTS };
let list = [];        // [{id, name, total_params}]
let net = null;       // the API's answer for the shown network
const cache = new Map();

const num = (n) => Number(n).toLocaleString("en-US");
const shapeText = (s) => s.join("×");
// ---- loading ------------------------------------------------------------------------------------------
// Errors are told by their code (lib/errors.js and this page's "error.code.*" strings, in the page's language);
// the engine's English rule is only the detail under them. The field an error names ("layers.3.kernel_size") is
// said as "item 4 of “layers”" first. Both boxes keep their error, so a language switch retells it.
const errors = { error: null, "own-error": null };

/** Where an error's field points, in words: item n of "layers" (n counted from 1), or the field itself. */
function where(field) {
  if (!field) return "-";
  const m = /^layers\.(\d+)(?:\.|$)/.exec(field);
  return m ? t("arch.at_layer", { n: Number(m[1]) + 1, path: field }) : t("arch.at_field", { path: field });
}

function tell(id, error) {
  errors[id] = error;
  showApiError($(id), error && { ...error, field: where(error.field) },
    { title: id === "error" ? "arch.load_error_title" : "arch.own_error_title" });
}

function showError(error) { tell("error", error); }
function ownError(error) { tell("own-error", error); }
const said = (error) => explain({ ...error, field: where(error.field) });

async function fetchNet(id) {
  if (id === "custom") {
    if (!state.own) return { ok: false, error: { code: "no_description", field: null, rule: "no description" } };
    return postJSON("/api/architectures/shape", state.own);
  }
  if (cache.has(id)) return { ok: true, data: cache.get(id) };
  const res = await getJSON(`/api/architectures/${encodeURIComponent(id)}`);
  if (res.ok) cache.set(id, res.data);
  return res;
}

async function show(id, layer = 0) {
  const res = await fetchNet(id);
  if (!res.ok) {
    if (res.aborted) return;
    if (id === "custom") {
      $("own-box").open = true;
      ownError(res.error);
      state.own = null;
      renderOptions();
      return show(DEFAULTS.net, 0);
    }
    if (id !== DEFAULTS.net) return show(DEFAULTS.net, 0);
    showError(res.error);
    return;
  }
  showError(null);
  state.net = id;
  net = id === "custom" ? { ...res.data, id: "custom", name: t("arch.custom"), reference: null } : { ...res.data, name: netName(res.data) };
  $("net").value = id;
  renderTotals();
  renderDiagram();
  renderList();
  renderLargest();
  select(Math.min(Math.max(0, Number(layer) || 0), net.layers.length - 1), { quiet: true });
}

/** A network's name in the page's language where the page has one (the API's names are English). */
const netName = (n) => (has(`arch.name.${n.id}`) ? t(`arch.name.${n.id}`) : n.name);

/** A setting's value as Keras writes it: (11, 11), ((1, 1), (1, 1)), and pads as "top 2, bottom 2, ...". */
function settingText(v) {
  if (Array.isArray(v)) return `(${v.map(settingText).join(", ")})`;
  if (v && typeof v === "object") return `(${Object.entries(v).map(([k, x]) => `${k} ${settingText(x)}`).join(", ")})`;
  if (typeof v === "string") return `'${v}'`;
  return String(v);
}

function renderOptions() {
  const select = $("net");
  select.replaceChildren();
  for (const n of list) select.append(el("option", { value: n.id }, `${netName(n)} — ${num(n.total_params)}`));
  if (state.own) select.append(el("option", { value: "custom" }, t("arch.custom")));
  select.value = state.net;
}

// ---- totals -------------------------------------------------------------------------------------------
function renderTotals() {
  $("total-params").textContent = num(net.total_params);
  $("trainable").textContent = num(net.trainable_params);
  const torch = net.counting === "torchvision";
  $("extra-label").dataset.i18n = torch ? "arch.buffers" : "arch.non_trainable";
  $("extra-label").textContent = t($("extra-label").dataset.i18n);
  $("extra").textContent = num(torch ? net.buffers : net.non_trainable_params);
  $("total-macs").textContent = num(net.total_macs);
  $("io").textContent = `${shapeText(net.input_shape)} → ${shapeText(net.output_shape)}`;
  $("count").textContent = num(net.layers.length);
  const ref = $("reference");
  ref.replaceChildren();
  if (net.reference) {
    ref.append(el("span", { "data-i18n": "arch.reference" }, t("arch.reference")), " ");
    const url = net.reference.url;
    const text = has(`arch.ref.${net.id}`) ? t(`arch.ref.${net.id}`) : net.reference.text; // the API's is English
    ref.append(url.startsWith("/") ? el("a", { href: url }, text) : text);
    if (!url.startsWith("/")) ref.append(" ", el("span", { class: "url" }, url));
  }
}

// ---- diagram ------------------------------------------------------------------------------------------
// Sizes: height ∝ log₂ of the image side, width ∝ log₂ of the channels; thin marks for shape-keeping layers.
const GAP = 3, FORK = 12, LANE_GAP = 10, LABEL = 14, MARGIN = 10;
const barH = (s) => (s.length === 3 ? 6 + 11 * Math.log2(Math.max(s[0], s[1], 1)) : 6);
const barW = (row) => (THIN.has(KIND[row.type]) ? 3 : 4 + 2.4 * Math.log2(Math.max(2, row.output_shape.at(-1))));
const ADD_R = 7;

function measure(node, memo) {
  if (memo.has(node)) return memo.get(node);
  let m;
  if (typeof node === "number") {
    const row = net.layers[node];
    const h = row.type === "Add" ? 2 * ADD_R : barH(row.output_shape);
    m = { w: row.type === "Add" ? 2 * ADD_R : barW(row), up: h / 2, down: h / 2 };
  } else if (Array.isArray(node)) {
    const parts = node.map((n) => measure(n, memo));
    m = { w: parts.reduce((a, p) => a + p.w, 0) + GAP * Math.max(0, parts.length - 1),
      up: Math.max(3, ...parts.map((p) => p.up)), down: Math.max(3, ...parts.map((p) => p.down)) };
  } else {
    const lanes = node.branches.map((b) => measure(b, memo));
    const offsets = [0];
    for (let j = 1; j < lanes.length; j++) offsets.push(offsets[j - 1] + lanes[j - 1].down + LANE_GAP + lanes[j].up);
    const joint = measure(node.merge, memo);
    const laneW = Math.max(...lanes.map((l) => l.w), 16);
    m = { w: FORK + laneW + FORK + joint.w, up: Math.max(lanes[0].up, joint.up) + LABEL,
      down: Math.max(offsets.at(-1) + lanes.at(-1).down, joint.down) + 4, lanes, offsets, laneW };
  }
  memo.set(node, m);
  return m;
}

function bar(g, index, x, cy) {
  const row = net.layers[index];
  const kind = KIND[row.type] || "shape";
  const title = svgEl("title");
  title.textContent = `${row.name} · ${shapeText(row.output_shape)} · ${num(row.params)}`;
  let shape;
  if (row.type === "Add") {
    shape = svgEl("circle", { cx: x + ADD_R, cy, r: ADD_R, class: `bar ${kind}`, "data-index": index });
    const plus = svgEl("path", { d: `M${x + ADD_R - 4} ${cy}h8M${x + ADD_R} ${cy - 4}v8`, class: "plus" });
    g.append(shape, plus);
  } else {
    const h = barH(row.output_shape), w = barW(row);
    shape = svgEl("rect", { x, y: cy - h / 2, width: w, height: h, rx: 1.5, class: `bar ${kind}`, "data-index": index });
    g.append(shape);
  }
  shape.append(title);
  return shape;
}

function place(node, x, cy, g, memo) {
  const m = memo.get(node);
  if (typeof node === "number") {
    bar(g, node, x, cy);
    return x + m.w;
  }
  if (Array.isArray(node)) {
    if (node.length) g.append(svgEl("line", { x1: x, y1: cy, x2: x + m.w, y2: cy, class: "trunk" }));
    let cx = x;
    node.forEach((n, i) => { cx = place(n, cx + (i ? GAP : 0), cy, g, memo); });
    return x + m.w;
  }
  // a merge: lanes stacked under the trunk, joined at the Concatenate / Add
  const row = net.layers[node.merge];
  const xm = x + FORK + m.laneW + FORK;
  const block = svgEl("rect", { x: x + 2, y: cy - m.up + LABEL - 6, width: m.w - 2, height: m.up + m.down - LABEL + 6,
    rx: 6, class: "block" });
  const label = svgEl("text", { x: x + 4, y: cy - m.up + LABEL - 9, class: "block-label" });
  label.textContent = row.name;
  g.append(block, label);
  node.branches.forEach((branch, j) => {
    const ly = cy + m.offsets[j];
    const identity = branch.length === 0;
    const cls = identity ? "link identity" : "link";
    g.append(svgEl("path", { d: `M${x} ${cy}L${x + FORK} ${ly}`, class: cls }));
    if (identity) {
      g.append(svgEl("path", { d: `M${x + FORK} ${ly}L${xm - 2} ${ly}L${xm + ADD_R} ${cy + (row.type === "Add" ? ADD_R : 0)}`,
        class: cls }));
      const tag = svgEl("text", { x: x + FORK + 4, y: ly - 3, class: "lane-label" });
      tag.textContent = t("arch.identity").split(" ")[0];
      g.append(tag);
      return;
    }
    const end = place(branch, x + FORK, ly, g, memo);
    g.append(svgEl("path", { d: `M${end} ${ly}L${xm - 4} ${ly}L${xm} ${cy}`, class: "link" }));
  });
  place(node.merge, xm, cy, g, memo);
  return x + m.w;
}

function renderDiagram() {
  const svg = $("diagram");
  svg.replaceChildren();
  const memo = new Map();
  const m = measure(net.tree, memo);
  // short networks are drawn larger, up to 2× (4× on a projector: LeNet filled a quarter of the width), to use
  // the width they have; presenter mode writes the sizes under the trunk at 20 px as the page's other words
  const room = Math.max(200, $("diagram-scroll").clientWidth - 4);
  drawnPresenting = presenting();
  labelPx = drawnPresenting ? 20 : 12;
  const scale = Math.max(1, Math.min(drawnPresenting ? 4 : 2, room / (m.w + 2 * MARGIN)));
  diagramScale = scale;
  svg.style.setProperty("--s", scale);
  const width = Math.ceil((m.w + 2 * MARGIN) * scale);
  const cy = MARGIN + m.up;
  const labels = shapeLabels(net.tree, memo, scale, (cy + m.down + MARGIN) * scale + labelPx + 1, width);
  const height = Math.ceil((m.up + m.down + 2 * MARGIN) * scale + labels.lines * (labelPx + 4) + 2);
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("aria-label", `${net.name}: ${shapeText(net.input_shape)} → ${shapeText(net.output_shape)}`);
  const g = svgEl("g", { transform: `scale(${scale})` });
  place(net.tree, MARGIN, cy, g, memo);
  svg.append(g, labels.g);
  renderLegend();
}

let diagramScale = 1;
let lastRoom = 0;
let drawnPresenting = false;
let labelPx = 12;  // the sizes under the trunk, in CSS px (architectures.css: 20 px in presenter mode)
const redraw = () => {
  const room = $("diagram-scroll").clientWidth;
  if (net && (Math.abs(room - lastRoom) > 8 || presenting() !== drawnPresenting)) {
    lastRoom = room;
    renderDiagram();
    markSelected();
  }
};
new ResizeObserver(redraw).observe($("diagram-scroll"));
window.addEventListener("resize", redraw);  // lib/present.js sends one when presenter mode is switched

// The output size written under the trunk wherever the image size changes (224, 112, 56, ...). A size too close
// to the one before goes on a second line (GoogLeNet's 56×56 and 28×28, its 1000 after 1×1 on a projector were
// dropped; ResNet-50 has four within 100 px); up to four lines. -> { g, lines } (lines used, for the drawing's height).
function shapeLabels(tree, memo, scale, y, width) {
  const g = svgEl("g", { class: "shape-labels" });
  const digit = labelPx * 2 / 3;   // (12 px digits: about 8 px each)
  const ends = [-Infinity, -Infinity, -Infinity, -Infinity];   // the right end of the last label on each line
  let x = MARGIN, last = null, lines = 1;
  tree.forEach((node, i) => {
    const w = memo.get(node).w;
    const row = net.layers[typeof node === "number" ? node : node.merge];
    const size = row.output_shape.length === 3 ? `${row.output_shape[0]}×${row.output_shape[1]}` : String(row.output_shape[0]);
    const half = size.length * digit / 2 + 2;
    const at = Math.min(width - half, Math.max(half + 2, (x + w / 2) * scale));
    const line = size === last ? -1 : ends.findIndex((end) => at - half > end + digit);
    if (line >= 0) {
      const text = svgEl("text", { x: at, y: y + line * (labelPx + 4), class: "shape-label" });
      text.textContent = size;
      g.append(text);
      ends[line] = at + half;
      lines = Math.max(lines, line + 1);
    }
    last = size;
    x += w + (i < tree.length - 1 ? GAP : 0);
  });
  return { g, lines };
}

function renderLegend() {
  const legend = $("legend");
  legend.replaceChildren();
  for (const [kind, key] of [["conv", "arch.legend_conv"], ["pool", "arch.legend_pool"], ["dense", "arch.legend_dense"],
    ["norm", "arch.legend_norm"], ["merge", "arch.legend_merge"], ["shape", "arch.legend_shape"]]) {
    const entry = el("span", { class: "legend-entry" });
    entry.append(el("span", { class: `swatch ${kind}` }), el("span", { "data-i18n": key }, t(key)));
    legend.append(entry);
  }
}

$("diagram").addEventListener("click", (e) => {
  const target = e.target.closest("[data-index]");
  if (target) select(Number(target.dataset.index));
});

// ---- the list -----------------------------------------------------------------------------------------
function renderList() {
  const box = $("layers");
  rfHeader(box);
  box.replaceChildren();
  net.layers.forEach((row) => {
    const option = el("div", { role: "option", id: `layer-${row.index}`, "aria-selected": "false", "data-index": row.index,
      class: `layer ${KIND[row.type] || "shape"}${row.branch !== null ? ` in-branch b${row.branch % 4}` : ""}` });
    option.style.paddingLeft = `${0.4 + row.depth * 0.9}rem`;
    option.append(
      el("span", { class: "idx" }, String(row.index + 1)),
      el("span", { class: "name" }, row.name),
      el("span", { class: "type" }, row.type),
      el("span", { class: "shape" }, shapeText(row.output_shape)),
      el("span", { class: "params" }, row.params ? num(row.params) : "–"),
      ...rfCells(row),
    );
    box.append(option);
  });
}

$("layers").addEventListener("click", (e) => {
  const option = e.target.closest("[role=option]");
  if (option) select(Number(option.dataset.index));
});

$("layers").addEventListener("keydown", (e) => {
  if (!net) return;
  const last = net.layers.length - 1;
  const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
  let next = null;
  if (e.key in moves) next = state.layer + moves[e.key];
  else if (e.key === "Home") next = 0;
  else if (e.key === "End") next = last;
  if (next === null) return;
  e.preventDefault();
  select(Math.max(0, Math.min(last, next)));
});

function scrollInto(box, item, vertical) {
  if (!item) return;
  if (vertical) {
    const top = item.offsetTop - box.offsetTop;
    if (top < box.scrollTop) box.scrollTop = top;
    else if (top + item.offsetHeight > box.scrollTop + box.clientHeight) box.scrollTop = top + item.offsetHeight - box.clientHeight;
  } else {
    const x = Number(item.getAttribute("x") ?? item.getAttribute("cx")) * diagramScale;
    if (x < box.scrollLeft + 20 || x > box.scrollLeft + box.clientWidth - 20) box.scrollLeft = Math.max(0, x - box.clientWidth / 2);
  }
}

// ---- selection ----------------------------------------------------------------------------------------
function select(index, { quiet = false } = {}) {
  if (!net || !net.layers[index]) return;
  state.layer = index;
  const box = $("layers");
  box.querySelector("[aria-selected=true]")?.setAttribute("aria-selected", "false");
  const option = $(`layer-${index}`);
  option.setAttribute("aria-selected", "true");
  box.setAttribute("aria-activedescendant", option.id);
  scrollInto(box, option, true);
  scrollInto($("diagram-scroll"), markSelected(), false);
  renderDetail();
  saveState();
  if (!quiet) announce(announcement());
}

function markSelected() {
  $("diagram").querySelector(".bar.selected")?.classList.remove("selected");
  const mark = $("diagram").querySelector(`.bar[data-index="${state.layer}"]`);
  mark?.classList.add("selected");
  return mark;
}

function announcement() {
  const row = net.layers[state.layer];
  return t("arch.announce", { name: row.name, type: t(`arch.kind.${row.type}`), shape: shapeText(row.output_shape),
    params: num(row.params) });
}

function saveState() {
  const own = state.net === "custom" && JSON.stringify(state.own).length <= OWN_URL_MAX ? state.own : null;
  writeState({ net: state.net, layer: state.layer, own }, DEFAULTS);
}

function item(dl, labelKey, value, cls) {
  const wrap = el("div");
  wrap.append(el("dt", { "data-i18n": labelKey }, t(labelKey)));
  const dd = el("dd", cls ? { class: cls } : {});
  if (value instanceof Node) dd.append(value); else dd.textContent = value;
  wrap.append(dd);
  dl.append(wrap);
  return dd;
}

function paddingText(p) {
  if (typeof p === "string") return p;
  return settingText(p);
}

function convHref(link) {
  const q = new URLSearchParams();
  for (const key of ["input", "kernel", "strides", "padding", "dilation"]) {
    if (link[key] !== undefined) q.set(key, JSON.stringify(link[key]));
  }
  return `/conv?${q.toString()}`;
}

function renderDetail() {
  const row = net.layers[state.layer];
  const box = $("detail");
  box.replaceChildren();
  box.append(el("h3", { class: "layer-name" }, row.name));
  const dl = el("dl", { class: "facts" });
  item(dl, "arch.type", t(`arch.kind.${row.type}`));
  item(dl, "arch.in_out", `${shapeText(row.input_shape)} → ${shapeText(row.output_shape)}`, "num");
  if (row.shape_formula) item(dl, "arch.size", row.shape_formula, "formula");
  else if (shapeText(row.input_shape) === shapeText(row.output_shape)) item(dl, "arch.size", t("arch.unchanged"));
  const params = item(dl, "arch.params", row.params_formula || t("arch.no_params"), row.params_formula ? "formula" : "");
  params.id = "params-formula";
  if (row.type === "BatchNormalization") {
    const split = row.buffers ? t("arch.split_torch", { t: num(row.trainable), b: num(row.buffers) })
      : t("arch.split_keras", { t: num(row.trainable), n: num(row.non_trainable) });
    params.append(el("span", { class: "note" }, split));
  }
  item(dl, "arch.macs_one", row.macs_formula || t("arch.macs_none"), row.macs_formula ? "formula" : "");
  if (row.block !== null) item(dl, "arch.block_h", t("arch.block", { block: row.block, branch: row.branch + 1 }));
  if (row.branches) {
    const ul = el("ul", { class: "branches" });
    row.branches.forEach((b, j) => ul.append(el("li", {},
      `${t("arch.branch_tag", { n: j + 1 })}: ${shapeText(b.output_shape)}${b.identity ? ` — ${t("arch.identity")}` : ""}`)));
    item(dl, "arch.branches", ul);
  }
  if (row.config) {
    const cfg = Object.entries(row.config).filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `${k}=${settingText(v)}`).join(", ");
    if (cfg) item(dl, "arch.settings", cfg, "mono small");
  }
  box.append(dl);
  box.append(rfPanel(row, net));
  if (row.type === "Conv2D") {
    const p = el("p", { class: "conv-link" });
    if (row.conv_link) {
      const link = row.conv_link;
      const a = el("a", { href: convHref(link), id: "conv-link" }, t("arch.conv_link"));
      p.append(a, el("br"), el("span", { class: "note" }, t("arch.conv_link_note", {
        k: `${link.kernel.length}×${link.kernel[0].length}`, s: link.strides.join("×"), p: paddingText(link.padding),
        n: link.input.length })));
    } else {
      p.textContent = t("arch.conv_link_none");
    }
    box.append(p);
  }
  if (row.macs) box.append(el("p", { class: "note" }, t("arch.macs_note")));
}

function renderLargest() {
  for (const [id, key, fmtKey] of [["by-params", "largest_by_params", "params"], ["by-macs", "largest_by_macs", "macs"]]) {
    const ol = $(id);
    ol.replaceChildren();
    for (const index of net[key]) {
      const row = net.layers[index];
      const b = el("button", { type: "button", class: "linklike", "data-index": index });
      b.append(el("span", { class: "name" }, row.name), " ", el("span", { class: "num" }, num(row[fmtKey])));
      b.addEventListener("click", () => { select(index); $("layers").focus(); });
      const li = el("li");
      li.append(b);
      ol.append(li);
    }
  }
}

// ---- your own list ------------------------------------------------------------------------------------
const OWN_EXAMPLE = {
  input_shape: [32, 32, 1],
  layers: [
    { type: "Conv2D", name: "C1", filters: 6, kernel_size: 5, activation: "tanh" },
    { type: "AveragePooling2D", name: "S2", pool_size: 2 },
    { type: "Conv2D", name: "C3", filters: 16, kernel_size: 5, activation: "tanh" },
    { type: "AveragePooling2D", name: "S4", pool_size: 2 },
    { type: "Flatten", name: "flatten" },
    { type: "Dense", name: "C5", units: 120, activation: "tanh" },
    { type: "Dense", name: "F6", units: 84, activation: "tanh" },
    { type: "Dense", name: "output", units: 10, activation: "softmax" },
  ],
};

function pretty(desc) {
  // one layer per line keeps long networks readable
  const head = `{\n  "input_shape": ${JSON.stringify(desc.input_shape)},\n` +
    (desc.counting && desc.counting !== "keras" ? `  "counting": ${JSON.stringify(desc.counting)},\n` : "");
  return `${head}  "layers": [\n${desc.layers.map((l) => `    ${JSON.stringify(l)}`).join(",\n")}\n  ]\n}`;
}

$("own-run").addEventListener("click", async () => {
  let desc;
  try {
    desc = JSON.parse($("own").value);
  } catch (err) {
    ownError({ code: "not_json", field: null, rule: err.message }); // the browser's words, in English
    announce(said(errors["own-error"]));
    return;
  }
  const res = await postJSON("/api/architectures/shape", desc);
  if (!res.ok) {
    if (res.aborted) return;
    ownError(res.error);
    announce(said(res.error));
    return;
  }
  ownError(null);
  state.own = desc;
  renderOptions();
  await show("custom", 0);
  announce(`${t("arch.custom")}: ${num(net.total_params)}`);
});

$("own-copy").addEventListener("click", () => {
  const desc = net?.description || state.own;
  if (desc) $("own").value = pretty(desc);
  ownError(null);
});

// ---- start --------------------------------------------------------------------------------------------
$("net").addEventListener("change", () => show($("net").value, 0));

onLangChange(() => {
  Object.entries(errors).forEach(([id, error]) => tell(id, error));
  if (!net) return;
  net.name = state.net === "custom" ? t("arch.custom") : netName(net);
  renderOptions();
  renderTotals();
  renderDiagram();
  markSelected();
  renderDetail();
});

async function init() {
  Object.assign(state, readState(DEFAULTS));
  const own = state.own;
  if (!(own && typeof own === "object" && Array.isArray(own.layers))) state.own = null;
  $("own").value = pretty(state.own || OWN_EXAMPLE);
  const res = await getJSON("/api/architectures");
  if (!res.ok) {
    showError(res.error);
    return;
  }
  list = res.data;
  const known = list.some((n) => n.id === state.net) || (state.net === "custom" && state.own);
  if (!known) state.net = DEFAULTS.net;
  renderOptions();
  await show(state.net, state.layer);
}

init();
