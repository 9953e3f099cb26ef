// The Keras panel: the server's whole Keras program for the page's numbers (shown as it is: it runs
// when pasted) and each of the layer's arguments explained in the page's language, as the lecture
// does (filters 濾鏡數量, kernel_size 濾鏡大小, ...). Nothing here writes Keras code.
import { has, t } from "./i18n.js";
import { h } from "./dom.js";

/**
 * The i18n key explaining one argument: "keras.<Layer>.<name>" for an argument of another layer (e.g.
 * ZeroPadding2D's padding), else "keras.<name>_<value>" where the value has its own text (padding='same'),
 * else "keras.<name>".
 */
export function argKey({ name, value, layer }) {
  if (layer) return `keras.${layer}.${name}`;
  const own = `keras.${name}_${String(value).replace(/'/g, "")}`;
  return has(own) ? own : `keras.${name}`;
}

/** `filters=1`, or `ZeroPadding2D(padding=((1, 1), (1, 1)))` for an argument of another layer. */
export const argText = ({ name, value, layer }) => (layer ? `${layer}(${name}=${value})` : `${name}=${value}`);

function argList(args, cls) {
  return h("dl", { class: `keras-args ${cls}` }, args.flatMap((arg) => [
    h("dt", {}, [h("code", {}, argText(arg))]),
    h("dd", { "data-key": argKey(arg) }, t(argKey(arg))),
  ]));
}

/**
 * Fill `box` from the API's `keras` block ({code, layer, args, note}); null (the request failed) leaves
 * a line saying why there is no code. options: {remarks: [text] shown after the code,
 * defaults: [{name, value}] arguments left at Keras' defaults that the lecture explains too}.
 */
export function renderKeras(box, keras, { remarks = [], defaults = [] } = {}) {
  if (!keras) {
    box.replaceChildren(h("p", { class: "muted" }, t("keras.none")));
    return;
  }
  const parts = [];
  if (keras.note) parts.push(h("p", { class: "keras-note" }, t(`keras.note.${keras.note}`)));
  parts.push(h("pre", { class: "keras-code", tabindex: 0, role: "region", "aria-label": t("keras.code_label") },
    [h("code", {}, keras.code)]));
  for (const text of remarks) parts.push(h("p", { class: "muted" }, text));
  parts.push(h("h3", { class: "keras-h" }, t("keras.args_h")), argList(keras.args, "given"));
  if (defaults.length) parts.push(h("h3", { class: "keras-h" }, t("keras.defaults_h")), argList(defaults, "defaults"));
  box.replaceChildren(...parts);
}
