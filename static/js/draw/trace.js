// The trace of one feature-map number, from POST /api/mnist/trace: the window on the layer's input,
// the weights, the products, the sum, the bias and the ReLU (or the max of a pooling window).
import { diverging, textOn } from "../lib/colors.js";
import { fmt, t } from "../lib/i18n.js";
import { h as el } from "../lib/dom.js";
import { keepNumbers, setNumber } from "../lib/numfmt.js";
import { overlay, paintMap } from "./paint.js";
import { fieldFigure } from "./field.js";

function numberTable(caption, rows, { highlight = null, colour = false } = {}) {
  const table = el("table", { class: "numbers" });
  table.appendChild(el("caption", {}, caption));
  const maxAbs = Math.max(1e-12, ...rows.flat().map((v) => Math.abs(v ?? 0)));
  rows.forEach((row, a) => {
    const tr = el("tr");
    row.forEach((v, b) => {
      const td = el("td", {}, v === null ? "·" : null);
      if (v !== null) setNumber(td, v, { chars: 7 });
      if (colour && v !== null) {
        const bg = diverging(v, maxAbs);
        td.style.background = bg;
        td.style.color = textOn(bg);
      }
      if (highlight && highlight[0] === a && highlight[1] === b) td.classList.add("winner");
      tr.appendChild(td);
    });
    table.appendChild(tr);
  });
  return table;
}

const channelOf = (nested, c) => nested.map((row) => row.map((cell) => cell[c]));

/**
 * Render a trace response into `body`. `input(name)` gives the layer input as {shape, at, max}
 * ("input" = the 28×28 the network saw).
 */
export function renderTrace(heading, body, data, input, link = () => null) {
  const [i, j, f] = data.index;
  const step = data.step;
  body.replaceChildren();
  heading.textContent = t(data.kind === "conv2d" ? "draw.trace.title_conv" : "draw.trace.title_pool", { name: data.layer, f, i, j });
  const source = input(data.input_from);
  const fromLabel = data.input_from === "input" ? t("draw.trace.from_input") : data.input_from;
  const pads = step.padding || { top: 0, left: 0 };
  const rows = step.window.map((p) => p[0]), cols = step.window.map((p) => p[1]);
  const win = { top: Math.min(...rows) - pads.top, left: Math.min(...cols) - pads.left,
    height: Math.max(...rows) - Math.min(...rows) + 1, width: Math.max(...cols) - Math.min(...cols) + 1 };

  const picture = el("figure", { class: "trace-window" });
  const frame = el("div", { class: "frame" });
  const canvas = el("canvas", { class: "pixelated", "aria-hidden": "true" });
  frame.appendChild(canvas);
  const caption = el("figcaption", { class: "small" });
  const shown = el("figcaption", { class: "small muted" });
  picture.append(frame, caption, shown);
  const [h, w] = source ? source.shape : [0, 0];
  const paint = (c) => {
    if (!source) return;
    shown.textContent = source.shape[2] > 1 ? t("draw.trace.showing_channel", { c, n: source.shape[2] }) : "";
    paintMap(canvas, h, w, (a, b) => source.at(a, b, c), { max: source.max || 1, palette: data.input_from === "input" ? "grey" : "seq" });
  };
  overlay(frame, "window-outline", win, h || 1, w || 1);

  if (data.kind === "conv2d") {
    const [kh, kw, C] = step.kernel_shape;
    caption.textContent = t("draw.trace.window", { kh, kw, from: fromLabel });
    const grids = el("div", { class: "trace-grids" });
    let channel = 0;
    if (C > 1) {
      // the channel whose products add up to the most, in absolute value, is the one to look at first
      const totals = Array.from({ length: C }, (_, c) => step.group_sums.slice(c * kh, (c + 1) * kh).reduce((s, v) => s + v, 0));
      channel = totals.reduce((best, v, c) => (Math.abs(v) > Math.abs(totals[best]) ? c : best), 0);
      const label = el("label", { class: "channel-pick" });
      const select = el("select", { id: "trace-channel" });
      totals.forEach((s, c) => select.appendChild(el("option", { value: String(c) }, t("draw.trace.channel_option", { c, s: fmt(s, 4) }))));
      select.value = String(channel);
      select.addEventListener("change", () => { channel = Number(select.value); paint(channel); fill(); });
      label.append(el("span", {}, t("draw.trace.channel")), select);
      body.appendChild(label);
    }
    const fill = () => {
      grids.replaceChildren(
        numberTable(t("draw.trace.inputs"), channelOf(step.inputs, channel)),
        el("span", { class: "op", "aria-hidden": "true" }, "×"),
        numberTable(t("draw.trace.weights"), channelOf(step.weights, channel), { colour: true }),
        el("span", { class: "op", "aria-hidden": "true" }, "="),
        numberTable(t("draw.trace.products"), channelOf(step.products, channel), { colour: true }),
      );
    };
    paint(channel);
    fill();
    const top = el("div", { class: "trace-top" });
    top.append(picture, grids);
    const field = fieldFigure(data, input("input"));
    if (field) top.append(field);
    body.appendChild(top);
    body.appendChild(el("p", { class: "small" }, t("draw.trace.formula")));
    const formula = el("pre", { class: "formula trace-formula", tabindex: "0" });
    keepNumbers(formula, step.formula + (step.activation_formula ? `\n${step.activation_formula}` : ""));
    body.appendChild(formula);
    const dl = el("dl", { class: "trace-sums" });
    const pairs = [["draw.trace.sum", step.sum], ["draw.trace.bias", step.bias], ["draw.trace.pre", step.pre_activation]];
    if (step.activation_formula) pairs.push(["draw.trace.relu", step.value]);
    for (const [key, v] of pairs) dl.append(el("dt", {}, t(key)), el("dd", {}, fmt(v, 4)));
    body.appendChild(dl);
  } else {
    caption.textContent = t("draw.trace.pool_values", { from: fromLabel });
    paint(f);
    const values = [];
    for (let a = 0; a < win.height; a++) values.push(step.inputs.slice(a * win.width, (a + 1) * win.width));
    const winner = [step.argmax[0] - step.window[0][0], step.argmax[1] - step.window[0][1]];
    const top = el("div", { class: "trace-top" });
    top.append(picture, numberTable(t("draw.trace.inputs"), values, { highlight: winner }));
    const field = fieldFigure(data, input("input"));
    if (field) top.append(field);
    body.appendChild(top);
    const formula = el("pre", { class: "formula trace-formula", tabindex: "0" });
    keepNumbers(formula, step.formula);
    body.appendChild(formula);
  }
  body.appendChild(el("p", { class: "small muted" }, t("draw.trace.model", { v: fmt(data.model_value, 4) })));
  const href = link(data);
  if (href) {
    const a = el("a", { href, class: "conv-link" }, t("draw.trace.conv_link"));
    body.appendChild(el("p", { class: "small" })).appendChild(a);
  }
}
