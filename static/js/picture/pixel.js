// The selected output pixel: for each output channel, its step from the API (app/engine/image_filter.py, in the
// /api/conv2d vocabulary): the formula as the API wrote it, the window's numbers, the kernel and the products.
import { diverging, textOn } from "../lib/colors.js";
import { h } from "../lib/dom.js";
import { fmt, t } from "../lib/i18n.js";
import { maxAbsOf } from "../lib/matrix.js";
import { windowBox } from "./view.js";

/** A small table of numbers; colour(v) gives a cell's background. */
function table(caption, rows, colour, isPad = () => false) {
  return h("table", { class: "pic-numbers" }, [h("caption", {}, caption), h("tbody", {}, rows.map((row, a) =>
    h("tr", {}, row.map((v, b) => {
      const td = h("td", { class: isPad(a, b) ? "pad" : null }, fmt(v, 4));
      const bg = colour(v);
      td.style.background = bg;
      td.style.color = textOn(bg);
      return td;
    }))))]);
}

const grey = (v) => {
  const g = Math.round(Math.max(0, Math.min(1, v)) * 255);
  return `rgb(${g},${g},${g})`;
};

/** Fill `box` with the answer's steps (one per output channel). */
export function renderPixel(box, answer, picture) {
  const steps = answer.steps ?? (answer.step ? [answer.step] : []);
  if (!steps.length) { box.replaceChildren(); return; }
  const [i, j] = steps[0].index;
  const [h0, w0] = picture.shape;
  const parts = [h("h4", { id: "pic-pixel-h" }, t("pic.pixel_h", { i, j }))];
  steps.forEach((st, k) => {
    const [r0, c0, r1, c1] = windowBox(st, answer.padding);
    const outside = r0 < 0 || c0 < 0 || r1 > h0 || c1 > w0;
    const kw = st.weights[0].length;
    const isPad = (a, b) => {
      const [r, c] = st.window[a * kw + b];
      const pr = r - answer.padding.top, pc = c - answer.padding.left;
      return pr < 0 || pc < 0 || pr >= h0 || pc >= w0;
    };
    const wMax = maxAbsOf(st.weights), pMax = maxAbsOf(st.products);
    parts.push(h("section", { class: "pic-step", dataset: { channel: String(st.index[2] ?? 0) } }, [
      steps.length > 1 ? h("h5", {}, t(`pic.channel.${st.index[2] ?? k}`)) : null,
      h("p", { class: "formula pic-formula", id: `pic-formula-${k}`, tabindex: "0" }, st.formula),
      h("p", { class: "pic-value" }, t("pic.value", { v: fmt(st.value) })),
      h("p", { class: "muted pic-where" }, t(outside ? "pic.window_pad" : "pic.window_at",
        { r0, r1: r1 - 1, c0, c1: c1 - 1 })),
      h("div", { class: "pic-tables" }, [
        table(t("pic.window"), st.inputs, grey, isPad),
        h("span", { class: "op", "aria-hidden": "true" }, "×"),
        table(t("pic.weights"), st.weights, (v) => diverging(v, wMax)),
        h("span", { class: "op", "aria-hidden": "true" }, "="),
        table(t("pic.products"), st.products, (v) => diverging(v, pMax)),
      ]),
    ]));
  });
  box.replaceChildren(...parts);
}
