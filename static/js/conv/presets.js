// The lecture-example picker shared by the convolution and pooling pages.
import { currentLang } from "../lib/i18n.js";

/** Refill `select` (keeping its first, "own numbers" option and its value) with the examples' titles. */
export function fillPresets(select, examples) {
  const keep = select.value;
  [...select.options].slice(1).forEach((o) => o.remove());
  for (const e of examples) {
    const o = document.createElement("option");
    o.value = e.id;
    o.textContent = e.title[currentLang()] || e.title.en;
    select.append(o);
  }
  select.value = keep;
}
