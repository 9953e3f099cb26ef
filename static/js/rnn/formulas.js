// The API's formulas for one step, as lists (nothing is computed here).
import { t } from "../lib/i18n.js";
import { h } from "../lib/dom.js";
import { keepNumbers } from "../lib/numfmt.js";

/** groups: [[titleKey, [formula, ...]], ...]; a note when the engine wrote none (large sizes). */
export function renderFormulas(container, step, groups) {
  container.replaceChildren();
  if (!step.formulas) {
    container.append(h("p", { class: "muted", "data-i18n": "formula.none" }, t("formula.none")));
    return;
  }
  for (const [key, name] of groups) {
    const list = step.formulas[name];
    if (!list) continue;
    container.append(h("h4", { "data-i18n": key }, t(key)),
      h("ul", { class: "flist" }, list.map((f) => {
        const li = h("li", { class: "formula" });
        keepNumbers(li, f);
        return li;
      })));
  }
}
