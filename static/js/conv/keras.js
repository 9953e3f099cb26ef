// The Keras call that reproduces the page's settings, and each argument explained as the lecture
// does (filters 濾鏡數量, kernel_size 濾鏡大小, ...). Text only: built with textContent.
import { t } from "../lib/i18n.js";

const tuple = (a) => `(${a.join(", ")})`;
const pyAct = (a) => (a === "linear" ? "None" : `'${a}'`);

/**
 * Conv settings -> {code, args}. s: {filters, kernel: [kh, kw], strides, dilation, activation,
 * useBias, inputShape: [H, W, C], padding: "valid" | "same" | other, pads: {top, bottom, left, right}}
 */
export function convKeras(s) {
  const keras = s.padding === "valid" || s.padding === "same";
  const shape = tuple(s.inputShape);
  const pad = keras ? s.padding : "valid";
  const conv = [`filters=${s.filters}`, `kernel_size=${tuple(s.kernel)}`, `strides=${tuple(s.strides)}`,
    `padding='${pad}'`, `dilation_rate=${tuple(s.dilation)}`, `activation=${pyAct(s.activation)}`,
    `use_bias=${s.useBias ? "True" : "False"}`];
  const lines = ["from tensorflow import keras", "", "model = keras.Sequential(["];
  const indent = "        ";
  let zp = null;
  if (keras) {
    conv.push(`input_shape=${shape}`);
  } else {
    const p = s.pads;
    zp = `padding=((${p.top}, ${p.bottom}), (${p.left}, ${p.right}))`;
    lines.push(`    keras.layers.ZeroPadding2D(${zp},`, `${indent}input_shape=${shape}),`);
  }
  lines.push(`    keras.layers.Conv2D(${conv.slice(0, 3).join(", ")},`);
  lines.push(`${indent}${conv.slice(3, 6).join(", ")},`);
  lines.push(`${indent}${conv.slice(6).join(", ")}),`);
  lines.push("])");
  const weights = `(${s.kernel.join(", ")}, ${s.inputShape[2]}, ${s.filters})`;
  lines.push(s.useBias
    ? `model.layers[-1].set_weights([kernel, bias])  # kernel ${weights}, bias (${s.filters},)`
    : `model.layers[-1].set_weights([kernel])  # kernel ${weights}`);

  const args = [
    ["filters", s.filters, t("keras.filters")],
    ["kernel_size", tuple(s.kernel), t("keras.kernel_size")],
    ["strides", tuple(s.strides), t("keras.strides")],
    ["padding", `'${pad}'`, keras ? t(`keras.padding_${pad}`) : t("keras.padding_valid")],
    ["dilation_rate", tuple(s.dilation), t("keras.dilation_rate")],
    ["activation", pyAct(s.activation), t("keras.activation")],
    ["use_bias", s.useBias ? "True" : "False", t("keras.use_bias")],
    ["input_shape", shape, t("keras.input_shape")],
  ];
  if (zp) args.unshift(["ZeroPadding2D", zp, t("keras.zero_padding")]);
  return { lines, args, note: keras ? "" : t("keras.not_native") };
}

/** Pool settings -> {code, args}. s: {mode, pool: [ph, pw], strides: [sh, sw] | null, padding, inputShape} */
export function poolKeras(s) {
  const layer = s.mode === "max" ? "MaxPooling2D" : "AveragePooling2D";
  const strides = s.strides ? tuple(s.strides) : "None";
  const lines = ["from tensorflow import keras", "",
    `layer = keras.layers.${layer}(pool_size=${tuple(s.pool)}, strides=${strides}, padding='${s.padding}')`,
    `y = layer(x)  # x: (1, ${s.inputShape.join(", ")})`];
  const args = [
    ["pool_size", tuple(s.pool), t("keras.pool_size")],
    ["strides", strides, t("keras.pool_strides")],
    ["padding", `'${s.padding}'`, t(`keras.pool_padding_${s.padding}`)],
  ];
  return { lines, args, note: "" };
}

/** Write {lines, args, note} into a panel: a <pre><code> block and a <dl> of explanations. */
export function renderKeras(box, { lines, args, note }) {
  const code = document.createElement("code");
  code.textContent = lines.join("\n");
  const pre = document.createElement("pre");
  pre.className = "keras-code";
  pre.tabIndex = 0; // scrollable at 360 px: reachable by keyboard
  pre.append(code);
  const dl = document.createElement("dl");
  dl.className = "keras-args";
  for (const [name, value, text] of args) {
    const dt = document.createElement("dt");
    const c = document.createElement("code");
    c.textContent = `${name}=${value}`;
    dt.append(c);
    const dd = document.createElement("dd");
    dd.textContent = text;
    dl.append(dt, dd);
  }
  const parts = [pre, dl];
  if (note) {
    const p = document.createElement("p");
    p.className = "keras-note";
    p.textContent = note;
    parts.unshift(p);
  }
  box.replaceChildren(...parts);
}
