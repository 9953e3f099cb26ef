// The model's summary as Keras' model.summary() prints it: Layer (type), Output Shape, Param #, then the totals.
// Every number is the API's (POST /api/models, GET /api/models/{id}); a layer's name opens its output.
import { t } from "../lib/i18n.js";
import { h } from "../lib/dom.js";
import { count, kerasShape } from "./num.js";

/** A layer's options as short text: filters=32, kernel_size=(5, 5), padding='valid', ... */
export function optionsText(config) {
  const value = (v) => (Array.isArray(v) ? (v.length === 1 ? `(${v[0]},)` : `(${v.map(value).join(", ")})`)
    : typeof v === "string" ? `'${v}'` : v === null ? "None" : typeof v === "boolean" ? (v ? "True" : "False") : String(v));
  return Object.entries(config).map(([k, v]) => `${k}=${value(v)}`).join(", ");
}

/** nodes: {name, table, totals, note}; onLayer(name): show that layer's output. */
export function renderSummary(nodes, s, onLayer) {
  nodes.name.textContent = t("model.summary.name", { name: s.name, v: s.keras_version });
  const table = nodes.table;
  table.replaceChildren();
  table.append(h("thead", {}, [h("tr", {}, [
    h("th", { scope: "col" }, t("model.summary.layer")), h("th", { scope: "col" }, t("model.summary.shape")),
    h("th", { scope: "col", class: "num" }, t("model.summary.params")), h("th", { scope: "col", class: "opts" }, t("model.summary.options"))])]));
  const tbody = h("tbody");
  s.layers.forEach((row, k) => {
    const name = k === 0 ? h("span", {}, row.name) : h("button", { type: "button", class: "link", dataset: { layer: row.name },
      "aria-label": t("model.summary.show", { name: row.name }) }, row.name);
    if (k > 0) name.addEventListener("click", () => onLayer(row.name));
    tbody.append(h("tr", { dataset: { layer: row.name } }, [
      h("td", { class: "lname" }, [name, h("span", { class: "ltype" }, ` (${row.class_name})`),
        h("span", { class: "opts-inline" }, optionsText(row.config))]),
      h("td", { class: "mono" }, kerasShape(row.output_shape)),
      h("td", { class: "num mono" }, count(row.params)),
      h("td", { class: "opts" }, optionsText(row.config)),
    ]));
  });
  table.append(tbody);
  nodes.totals.replaceChildren(
    h("dt", {}, t("model.summary.total")), h("dd", { id: "total-params" }, count(s.total_params)),
    h("dt", {}, t("model.summary.trainable")), h("dd", { id: "trainable-params" }, count(s.trainable_params)),
    h("dt", {}, t("model.summary.non_trainable")), h("dd", { id: "non-trainable-params" }, count(s.non_trainable_params)));
  const untraceable = s.layers.slice(1).filter((r) => !r.traceable).map((r) => r.name);
  nodes.note.textContent = untraceable.length ? t("model.summary.untraceable", { names: untraceable.join(", ") }) : "";
}

/** Mark the layer whose output is shown. */
export function markLayer(table, name) {
  table.querySelectorAll("tbody tr").forEach((tr) => tr.classList.toggle("current", tr.dataset.layer === name));
}
