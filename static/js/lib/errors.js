// An API error in plain words, on every page the same way: a title, the page's own sentence for the
// error's machine-readable `code` (i18n key "error.code.<code>") or else the field it names, and the
// engine's rule as the detail. Pages react to codes only, never to the English rule text.
import { has, t } from "./i18n.js";
import { h } from "./dom.js";

/** The page's sentence for an error, chosen by its code. */
export function explain(error) {
  const key = `error.code.${error.code}`;
  const values = { field: error.field || "-" }; // a page's sentence may name the field the error names
  return has(key) ? t(key, values) : t("error.generic", values);
}

/** Fill `box` with the explanation of `error` ({status, code, field, rule, message}); hide it for null.
 * `title`: the i18n key of the opening words, for a box where "This cannot be computed." is not what happened. */
export function showError(box, error, { title = "error.title" } = {}) {
  box.replaceChildren();
  box.hidden = !error;
  if (!error) return;
  box.append(h("strong", {}, t(title)), " ", h("span", { class: "error-text" }, explain(error)), h("br"),
    h("small", { class: "error-detail" }, [`${t("error.detail")} `,
      h("span", { lang: "en" }, error.rule || error.message || "")])); // the engine's rule is always English
}
