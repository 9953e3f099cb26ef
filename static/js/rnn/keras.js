// The Keras panel: the call that computes what the page shows (from the API's `keras` field), how to
// load the same weights, and the lecture's explanation of each parameter with its current value.
import { t } from "../lib/i18n.js";
import { h } from "./dom.js";

const PARAMS = {
  SimpleRNN: ["units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer",
    "dropout", "recurrent_dropout"],
  LSTM: ["units", "activation", "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
    "bias_initializer", "unit_forget_bias", "dropout", "recurrent_dropout"],
  GRU: ["units", "activation", "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
    "bias_initializer", "reset_after", "dropout", "recurrent_dropout"],
};

function value(name, data, req) {
  const py = (v) => (v === true ? "True" : v === false ? "False" : typeof v === "string" ? `'${v}'` : String(v));
  switch (name) {
    case "units": return String(data.units);
    case "activation": return py(data.activation);
    case "recurrent_activation": return py(data.recurrent_activation);
    case "use_bias": return py(data.weights.bias !== null);
    case "kernel_initializer": return "'glorot_uniform'";
    case "recurrent_initializer": return "'orthogonal'";
    case "bias_initializer": return "'zeros'";
    case "unit_forget_bias": return py(req.unit_forget_bias ?? true);
    case "reset_after": return py(data.reset_after);
    default: return "0.0";
  }
}

export function renderKeras(container, data, req) {
  const T = data.timesteps, d = data.input_dim;
  const lines = [
    "import keras",
    "from keras import layers",
    "",
    "model = keras.Sequential([",
    `    keras.Input(shape=(${T}, ${d})),`,
    `    layers.${data.keras.layer},`,
  ];
  if (data.keras.output_layer) lines.push(`    layers.${data.keras.output_layer.replace("Dense(", "layers.Dense(")},`);
  lines.push("])");
  const w = data.weights;
  const rnnWeights = w.bias ? "[kernel, recurrent_kernel, bias]" : "[kernel, recurrent_kernel]";
  lines.push(`model.layers[0].set_weights(${rnnWeights})  # ${t("keras.weights_comment")}`);
  if (w.output_layer) lines.push(`model.layers[1].set_weights(${w.output_layer.bias ? "[V, c]" : "[V]"})`);
  lines.push(`model.predict(x[None])  # x: (${T}, ${d})`);
  const dl = h("dl", { class: "params" });
  for (const name of PARAMS[data.layer]) {
    dl.append(h("dt", {}, [h("code", {}, `${name}=${value(name, data, req)}`)]),
      h("dd", { "data-i18n": `keras.${name}` }, t(`keras.${name}`)));
  }
  container.replaceChildren(
    h("pre", { class: "code", tabindex: 0 }, [h("code", {}, lines.join("\n"))]),
    h("p", { class: "muted", "data-i18n": `keras.note_${data.layer}` }, t(`keras.note_${data.layer}`)),
    dl);
}
