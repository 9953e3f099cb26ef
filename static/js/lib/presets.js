// The lecture's worked examples (GET /api/examples) as presets: loading them, and the picker.
import { getJSON } from "./api.js";
import { currentLang } from "./i18n.js";

/** Every example ({id, endpoint, title, description, request, expected}); none when the API is unreachable. */
export async function loadExamples() {
  const res = await getJSON("/api/examples");
  return res.ok ? res.data.examples : [];
}

/** An example's title or description in the current language. */
export const inLang = (text) => text[currentLang()] || text.en;

/** Refill `select` (keeping its first, "own numbers" option) with the examples' short titles (the whole title is
 * the option's tooltip) and pick `value`. */
export function fillPresets(select, examples, value = select.value) {
  [...select.options].slice(1).forEach((o) => o.remove());
  for (const e of examples) {
    const o = document.createElement("option");
    o.value = e.id;
    o.textContent = inLang(e.short || e.title);  // short: a closed select cannot wrap (below)
    o.title = inLang(e.title);
    select.append(o);
  }
  select.value = value || "";
  fitPicker(select);
}

// A closed <select> cannot wrap its text, and browsers cut what does not fit ("Padding keeps the size (a₁₁ = 19"
// in the settings column at 1280 px): the picker shows the examples' short titles, and, as numfmt.js does for
// numbers, a title too wide for a narrow column shrinks rather than being cut: the picker's font is made just small
// enough for its longest title, never below MIN_PX. The room the browser leaves for the arrow is measured, on a
// copy of the picker holding one known text at its natural width.
const MIN_PX = 12;
const fitted = new WeakSet();
let canvas;

function textWidth(text, style, px) {
  const ctx = (canvas ||= document.createElement("canvas")).getContext("2d");
  ctx.font = `${style.fontWeight} ${px}px ${style.fontFamily}`;
  return ctx.measureText(text).width;
}

/** The width (CSS px) the browser adds to a picker's text at `px`: its arrow and inner spacing. */
export function arrowPx(select, px) {
  const probe = select.cloneNode(false);
  probe.removeAttribute("id");
  probe.style.cssText = `position:absolute;visibility:hidden;width:auto;min-width:0;max-width:none;font-size:${px}px`;
  probe.append(new Option("MMMM"));
  select.after(probe);
  const style = getComputedStyle(probe);
  const pads = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
  const arrow = probe.clientWidth - pads - textWidth("MMMM", style, px);
  probe.remove();
  return arrow;
}

/** The font size (CSS px) at which every option of `select` fits its closed box; the page's own size if they fit. */
export function pickerFontPx(select) {
  select.style.fontSize = "";
  const style = getComputedStyle(select);
  const box = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const texts = [...select.options].map((o) => o.textContent);
  let px = parseFloat(style.fontSize);
  while (px > MIN_PX && Math.max(0, ...texts.map((t) => textWidth(t, style, px))) + arrowPx(select, px) > box) px -= 0.5;
  return px;
}

/** Sets the picker's font to pickerFontPx, now and whenever its box changes size or the fonts finish loading. */
export function fitPicker(select) {
  const fit = () => {
    if (!select.clientWidth) return;  // hidden: fitted when it shows (the observer sees the size change)
    const px = pickerFontPx(select);
    if (px < parseFloat(getComputedStyle(select).fontSize)) select.style.fontSize = `${px}px`;
  };
  fit();
  if (fitted.has(select)) return;
  fitted.add(select);
  new ResizeObserver(fit).observe(select);
  document.fonts?.ready.then(fit);
}
