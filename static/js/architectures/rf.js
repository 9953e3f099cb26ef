// Receptive fields in the explorer: the layer list's RF and jump columns, and, for the selected layer, a small
// picture of the input with the region one of its neurons sees (the API's rf_region: the filled box inside the
// input, the dashed box where the field reaches outside it). Every number is the API's.
import { h, s } from "../lib/dom.js";
import { currentLang, t } from "../lib/i18n.js";

const SIDE = 180; // px: the longer side of the drawing

/** 212 -> "212", [3, 5] -> "3×5", null -> "–". */
export const rfText = (v) => (v === null || v === undefined ? "–" : Array.isArray(v) ? v.join("×") : String(v));
/** Always rows×cols, as the sentence says it: 212 -> "212×212". */
const square = (v) => (Array.isArray(v) ? v.join("×") : `${v}×${v}`);

/** The two cells a layer row gains (each with its name for screen readers). */
export function rfCells(row) {
  // the short name shows where the column heads do not (narrow screens); the long one is for screen readers
  const cell = (cls, short, long, v) => h("span", { class: cls }, [
    h("span", { class: "lbl", "aria-hidden": "true", "data-i18n": short }, t(short)),
    h("span", { class: "sr-only", "data-i18n": long }, t(long)), " ", rfText(v)]);
  // a flat layer (Flatten, a Dense after it) has one position, no neighbours: the API's jump (the map's width
  // times the jump before, from its window rule) means nothing to a reader, so the page shows "–"
  const flat = row.rf_region && !row.rf_region.cell;
  return [cell("rf", "arch.rf_col", "arch.rf_sr", row.receptive_field),
    cell("jump", "arch.jump_col", "arch.jump_sr", flat ? null : row.jump)];
}

/** The column names above the list and what RF and jump mean (added once, relabelled by data-i18n). */
export function rfHeader(list) {
  if (document.getElementById("layers-head")) return;
  const label = (key) => h("span", { "data-i18n": key }, t(key));
  list.before(h("p", { class: "hint rf-hint", id: "rf-hint", "data-i18n": "arch.rf_hint" }, t("arch.rf_hint")),
    h("div", { class: "layers-head", id: "layers-head", "aria-hidden": "true" }, [
      h("span", { class: "idx" }, "#"), h("span", { class: "name" }, [label("arch.col_layer")]),
      h("span", { class: "params" }, [label("arch.col_numbers")]),
      h("span", { class: "rf" }, [label("arch.rf_col")]), h("span", { class: "jump" }, [label("arch.jump_col")]),
    ]));
}

/** The selected layer's field: a drawing of the input and sentences, or why there is none. */
export function rfPanel(row, net) {
  const box = h("section", { class: "rf-panel", id: "rf-panel", "aria-labelledby": "rf-h" },
    [h("h3", { id: "rf-h" }, t("arch.rf_h"))]);
  const r = row.rf_region, shape = net.input_shape;
  if (!r || shape.length !== 3) {
    box.append(h("p", { class: "rf-text" }, t("arch.rf_none")));
    return box;
  }
  const [H, W] = shape, input = `${H}×${W}`;
  const lines = [t("arch.rf_sees", { name: row.name, rf: square(row.receptive_field), input })];
  if (r.cell) lines.push(t("arch.rf_jump", { jump: rfText(row.jump) }));
  const span = ([top, left, bottom, right]) => ({ r0: top, r1: bottom - 1, c0: left, c1: right - 1 });
  const cell = r.cell ? { i: r.cell[0], j: r.cell[1] } : {};
  if (!r.region) lines.push(t("arch.rf_padding_only", cell));
  else lines.push(t(r.cell ? "arch.rf_centre" : "arch.rf_flat", { ...cell, ...span(r.region) }));
  const outside = !r.region || r.unclipped.some((v, k) => v !== r.region[k]);
  if (outside) lines.push(t("arch.rf_outside", span(r.unclipped)));
  box.append(h("div", { class: "rf-body" }, [drawing(r, H, W, row.name, input), h("p", { class: "rf-text", id: "rf-text" }, lines.join(currentLang() === "zh-TW" ? "" : " "))]));
  return box;
}

/** The input as a square (or rectangle) in pixel units; the boxes as the API gave them. */
function drawing(r, H, W, name, input) {
  const [ut, ul, ub, ur] = r.unclipped;
  const top = Math.min(0, ut), left = Math.min(0, ul), bottom = Math.max(H, ub), right = Math.max(W, ur);
  const m = 0.03 * Math.max(bottom - top, right - left);
  const vw = right - left + 2 * m, vh = bottom - top + 2 * m, k = SIDE / Math.max(vw, vh);
  const rect = ([a, b, c, d], cls) => s("rect", { x: b, y: a, width: d - b, height: c - a, class: cls,
    "vector-effect": "non-scaling-stroke", "data-box": [a, b, c, d].join(",") });
  const svg = s("svg", { class: "rf-svg", viewBox: `${left - m} ${top - m} ${vw} ${vh}`, width: Math.round(vw * k),
    height: Math.round(vh * k), role: "img", "aria-label": t("arch.rf_fig", { input, name }) }, [
    rect([0, 0, H, W], "rf-input"),
    r.region ? rect(r.region, "rf-region") : null,
    r.region && r.unclipped.every((v, i) => v === r.region[i]) ? null : rect(r.unclipped, "rf-unclipped"),
  ]);
  return h("figure", { class: "rf-figure" }, [svg]);
}
