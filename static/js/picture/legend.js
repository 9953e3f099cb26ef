// The output picture's colour scale, from the API's `mapping` (app/engine/colormap.py): a bar with the colour
// stops at their values, the numbers at its ends (and 0 for the signed scales), and the rule in words.
import { h } from "../lib/dom.js";
import { currentLang, fmt, t } from "../lib/i18n.js";

const rgb = (c) => `rgb(${c.join(",")})`;
const num = (v) => fmt(v, 3);

/** Fill `box` with the legend of `answer.mapping`; returns place(v): a marker at value v on the bar. */
export function renderLegend(box, answer) {
  const { name, domain: [lo, hi], colors, channels, clipped } = answer.mapping;
  const signed = colors.length === 3;
  // the stops: lo, (0,) hi; a signed scale is symmetric, so 0 sits in the middle
  const stops = signed ? [[colors[0], 0], [colors[1], 50], [colors[2], 100]] : [[colors[0], 0], [colors[1], 100]];
  const bar = h("div", { class: "legend-bar", "aria-hidden": "true" });
  bar.style.background = `linear-gradient(to right, ${stops.map(([c, p]) => `${rgb(c)} ${p}%`).join(", ")})`;
  const marker = h("span", { class: "legend-marker", hidden: true });
  bar.append(marker);
  const ticks = h("div", { class: "legend-ticks", "aria-hidden": "true" },
    [h("span", {}, num(lo)), signed ? h("span", {}, "0") : null, h("span", {}, num(hi))]);
  const words = [t(`pic.legend.${name}`, { m: num(hi) })];
  if (clipped.below || clipped.above) {
    words.push(t("pic.legend.clipped", { below: clipped.below, above: clipped.above, lo: num(lo), hi: num(hi) }));
  }
  if (channels !== "gray") words.push(t("pic.legend.channels"));
  const [rlo, rhi] = answer.output_range;
  words.push(t("pic.legend.range", { lo: fmt(rlo), hi: fmt(rhi) }));
  box.replaceChildren(bar, ticks, h("p", { class: "legend-text" }, words.join(currentLang() === "zh-TW" ? "" : " ")));
  box.dataset.name = name;
  return (v) => {
    marker.hidden = v === null || v === undefined || hi <= lo;
    if (marker.hidden) return;
    const x = Math.max(0, Math.min(1, (v - lo) / (hi - lo)));
    marker.style.left = `${(x * 100).toFixed(2)}%`;
  };
}
