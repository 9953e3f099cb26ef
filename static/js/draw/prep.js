// "What the network sees": the server's preprocessing steps drawn on small canvases.
import { fmt, t } from "../lib/i18n.js";
import { h as el } from "../lib/dom.js";
import { marker, overlay, paintGrid, paintMap } from "./paint.js";

function figure(list, titleKey, desc) {
  const li = el("li", { class: "prep-step" });
  const frame = el("div", { class: "frame" });
  const canvas = el("canvas", { class: "pixelated", "aria-hidden": "true" });
  frame.appendChild(canvas);
  li.append(el("h3", {}, t(titleKey)), frame, el("p", { class: "small" }, desc));
  list.appendChild(li);
  return { canvas, frame };
}

/** Render steps (API `steps`, may be null) and the 28×28 `preprocessed` into the <ol>. */
export function renderPrep(list, empty, result) {
  list.replaceChildren();
  if (!result || result.nothing_drawn) {
    empty.textContent = t("draw.sees.empty");
    empty.hidden = false;
    return;
  }
  const s = result.steps;
  empty.hidden = true;
  if (s) {
    const ink = s.ink;
    const rows = ink.length, cols = ink[0].length, k = s.ink_scale;
    const [top, left, bottom, right] = s.bbox;
    const size = { w: s.input_size[1], h: s.input_size[0] };
    const a = figure(list, "draw.step.ink", s.raster_scale !== undefined  // strokes: drawn by the server, no polarity
      ? t("draw.step.ink_desc_strokes", size) : t("draw.step.ink_desc", { polarity: t(`draw.polarity.${s.polarity}`), ...size }));
    paintGrid(a.canvas, ink);
    a.frame.style.aspectRatio = `${cols} / ${rows}`;

    const b = figure(list, "draw.step.bbox", t("draw.step.bbox_desc", { top, bottom: bottom - 1, left, right: right - 1 }));
    paintGrid(b.canvas, ink);
    b.frame.style.aspectRatio = `${cols} / ${rows}`;
    overlay(b.frame, "box-outline", { top: top * k, left: left * k, height: (bottom - top) * k, width: (right - left) * k }, rows, cols);

    // the box (longer side 20) shown centred in a 20×20 field, its edge dashed
    const box = s.box, bh = box.length, bw = box[0].length;
    const oy = Math.floor((20 - bh) / 2), ox = Math.floor((20 - bw) / 2);
    const inBox = (i, j) => (i >= oy && i < oy + bh && j >= ox && j < ox + bw ? box[i - oy][j - ox] : 0);
    const c = figure(list, "draw.step.box", t("draw.step.box_desc", { h: bh, w: bw }));
    paintMap(c.canvas, 20, 20, inBox);
    overlay(c.frame, "box-outline dashed", { top: oy, left: ox, height: bh, width: bw }, 20, 20);

    const [r, cc] = s.center_of_mass;
    const d = figure(list, "draw.step.com", t("draw.step.com_desc", { r: fmt(r, 1), c: fmt(cc, 1) }));
    paintMap(d.canvas, 20, 20, inBox);
    marker(d.frame, "com", r + oy, cc + ox, 20, 20);

    const [dy, dx] = s.offset;
    const [fr, fc] = s.final_center_of_mass;
    const e = figure(list, "draw.step.final", t("draw.step.final_desc", { dy, dx, fr: fmt(fr, 1), fc: fmt(fc, 1) }));
    paintGrid(e.canvas, result.preprocessed);
    overlay(e.frame, "box-outline dashed", { top: dy, left: dx, height: bh, width: bw }, 28, 28);
    marker(e.frame, "com", fr, fc, 28, 28);
    marker(e.frame, "centre", 14, 14, 28, 28);
  } else {
    const e = figure(list, "draw.step.final", t("draw.sees.pixels_only"));
    paintGrid(e.canvas, result.preprocessed);
  }
}
