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

/** Refill `select` (keeping its first, "own numbers" option) with the examples' titles and pick `value`. */
export function fillPresets(select, examples, value = select.value) {
  [...select.options].slice(1).forEach((o) => o.remove());
  for (const e of examples) {
    const o = document.createElement("option");
    o.value = e.id;
    o.textContent = inLang(e.title);
    select.append(o);
  }
  select.value = value || "";
}
