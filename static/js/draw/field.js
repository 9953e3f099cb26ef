// Beside a trace: the 28×28 input with the part the traced number depends on outlined (the API's
// receptive_field.region, [top, left, bottom, right) of the input; the dashed box is the whole field where the
// picture's edge cuts it), and its size in words.
import { h } from "../lib/dom.js";
import { currentLang, t } from "../lib/i18n.js";
import { overlay, paintMap } from "./paint.js";

/** The figure for a trace answer, or null when it has no field (or the input is not known). */
export function fieldFigure(data, input) {
  const rf = data.receptive_field;
  if (!rf || !input) return null;
  const [H, W] = input.shape;
  const [i, j, f] = data.index;
  const frame = h("div", { class: "frame" });
  const canvas = h("canvas", { class: "pixelated", role: "img",
    "aria-label": t("draw.field.label", { name: data.layer, f, i, j }) });
  frame.append(canvas);
  paintMap(canvas, H, W, (a, b) => input.at(a, b, 0), { max: input.max || 1, palette: "grey" });
  const box = ([top, left, bottom, right], cls) => {
    const el = overlay(frame, cls, { top, left, height: bottom - top, width: right - left }, H, W);
    el.dataset.region = [top, left, bottom, right].join(",");
    return el;
  };
  const words = [];
  const r = rf.region, u = rf.unclipped;
  const cut = !r || u.some((v, k) => v !== r[k]);
  if (cut) box(u, "field-outline dashed");
  if (r) {
    box(r, "field-outline");
    words.push(t("draw.field.sees", { h: r[2] - r[0], w: r[3] - r[1], r0: r[0], r1: r[2] - 1, c0: r[1], c1: r[3] - 1 }));
    if (cut) words.push(t("draw.field.cut", { rf: Array.isArray(rf.receptive_field) ? rf.receptive_field.join("×") : rf.receptive_field }));
    if (data.input_from !== "input") words.push(t("draw.field.stack"));
  } else {
    words.push(t("draw.field.padding"));
  }
  return h("figure", { class: "trace-field", id: "trace-field" }, [
    h("figcaption", { class: "small field-h" }, t("draw.field.h")), frame,
    h("figcaption", { class: "small field-words", id: "field-words" }, words.join(currentLang() === "zh-TW" ? "" : " ")),
  ]);
}
