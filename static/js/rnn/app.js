// What /rnn and /lstm share: presets, settings, the input and weight editors, the player, the
// sensitivity chart, the Keras panel, errors and URL state. Each page passes its own views.
import { clone, h, sub } from "../lib/dom.js";
import { MatrixEditor } from "../lib/editor.js";
import { showError } from "../lib/errors.js";
import { announce, fmt, onLangChange, t } from "../lib/i18n.js";
import { renderKeras } from "../lib/keras.js";
import { limits } from "../lib/limits.js";
import { bindControls, Player } from "../lib/player.js";
import { fillPresets as fillPicker, inLang } from "../lib/presets.js";
import { barChart } from "./charts.js";
import { Session } from "./session.js";
import { scrollCue, scrollCues } from "./scrollcue.js";

const $ = (id) => document.getElementById(id);
const L = limits.rnn;
const MAX_CELLS = 640; // a larger matrix is edited as text (a table of more fields is slow to use)
export const BLOCKS = {
  SimpleRNN: { n: 1, names: () => [""], sym: ["h"] },
  LSTM: { n: 4, names: () => [t("gate.input"), t("gate.forget"), t("gate.candidate"), t("gate.output")], sym: ["i", "f", "c̃", "o"] },
  GRU: { n: 3, names: () => [t("gate.update"), t("gate.reset"), t("gate.candidate_h")], sym: ["z", "r", "h̃"] },
};

// Arguments the lecture explains that the pages leave at Keras' defaults (the API's code does too).
const DEFAULTS = [{ name: "kernel_initializer", value: "'glorot_uniform'" },
  { name: "recurrent_initializer", value: "'orthogonal'" }, { name: "bias_initializer", value: "'zeros'" },
  { name: "dropout", value: "0.0" }, { name: "recurrent_dropout", value: "0.0" }];

/**
 * page: {cells, defaultCell, renderAll(data, session), renderStep(data, i, session), announceText(data, i)}
 */
export async function start(page) {
  const errorBox = $("error");
  // /lstm's views of every step scroll sideways in their own boxes when they are wider than the screen
  scrollCue($("timeline"));
  scrollCues($("heat"), ".heat-scroll");
  const player = new Player({ onStep: (i) => step(i) });
  bindControls($("player"), player);
  let data = null;

  const session = new Session({
    cells: page.cells,
    defaultCell: page.defaultCell,
    onBusy: (busy) => document.body.classList.toggle("busy", busy),
    onError: (err) => showError(errorBox, err),
    onResult: (d) => {
      data = d;
      syncSettings();
      renderEditors();
      renderSensitivity();
      keras();
      page.renderAll(d, session);
      player.setCount(d.timesteps, session.state.step);
    },
  });

  function step(i) {
    if (!data) return;
    session.state.step = i;
    page.renderStep(data, i, session);
    renderSensitivity();
    session.save();
    announce(page.announceText(data, i, session));
  }

  // ---- settings -------------------------------------------------------------------------------------
  const bind = (id, event, fn) => $(id)?.addEventListener(event, fn);
  function fillPresets() {
    fillPicker($("preset"), session.presets(), session.state.preset);
    const ex = session.example(session.state.preset);
    $("preset-note").textContent = ex ? inLang(ex.description) : "";
  }
  function syncSettings() {
    const r = session.req, d = data;
    fillPresets();
    $("units").value = d.units;
    $("activation").value = d.activation;
    $("use-bias").checked = d.weights.bias !== null;
    $("seed").value = r.seed ?? 0;
    if ($("recurrent-activation")) $("recurrent-activation").value = d.recurrent_activation;
    if ($("unit-forget-bias")) $("unit-forget-bias").checked = r.unit_forget_bias ?? true;
    if ($("reset-after")) $("reset-after").checked = d.reset_after ?? true;
    if ($("use-output")) {
      const o = d.weights.output_layer;
      $("use-output").checked = !!o;
      $("out-units").value = o ? o.kernel[0].length : d.units;
      $("out-activation").value = o ? o.activation : "linear";
      $("out-bias").checked = !!(o && o.bias);
      document.querySelectorAll(".needs-output").forEach((el) => { el.hidden = !o; });
    }
    document.querySelectorAll("[data-cell]").forEach((el) => { el.hidden = el.dataset.cell !== session.state.cell; });
    const title = document.querySelector("title[data-i18n-title^='nav.']");   // the tab says GRU on GRU's view
    if (title && page.cells && "gru" in page.cells) {
      title.dataset.i18nTitle = session.state.cell === "gru" ? "nav.gru" : "nav.lstm";
      title.textContent = `${t(title.dataset.i18nTitle)} · ${t("site.name")}`;
    }
    document.querySelectorAll("[data-cell-button]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.cellButton === session.state.cell)));
    $("t-count").textContent = t("ed.shape", { T: d.timesteps, d: d.input_dim });
  }
  bind("preset", "change", (e) => { if (e.target.value) session.usePreset(e.target.value); });
  bind("units", "change", (e) => {
    const u = Math.round(Number(e.target.value));
    if (u >= 1 && u <= L.max_u) session.edit(() => session.reinitialise(u)); else e.target.value = data.units;
  });
  bind("activation", "change", (e) => session.edit((r) => { r.activation = e.target.value; }));
  // the gates' activation is the reader's choice: it stays when the cell switches (rnn/session.js)
  bind("recurrent-activation", "change", (e) => session.chooseGates(e.target.value));
  bind("keras2", "click", () => session.chooseGates("hard_sigmoid"));
  bind("keras3", "click", () => session.chooseGates("sigmoid"));
  bind("use-bias", "change", (e) => session.edit((r) => { r.use_bias = e.target.checked; delete r.bias; }));
  bind("unit-forget-bias", "change", (e) => session.edit((r) => { r.unit_forget_bias = e.target.checked; delete r.bias; }));
  bind("reset-after", "change", (e) => session.edit((r) => { r.reset_after = e.target.checked; delete r.bias; }));
  bind("seed", "change", (e) => {
    const s = Math.round(Number(e.target.value));
    if (s >= 0 && s <= Number(e.target.max)) session.edit((r) => { r.seed = s; session.reinitialise(); });
  });
  bind("reinit", "click", () => session.edit(() => session.reinitialise()));
  bind("use-output", "change", (e) => session.edit((r) => {
    if (e.target.checked) r.output_layer = { units: data.units, activation: "linear" }; else delete r.output_layer;
  }));
  bind("out-units", "change", (e) => {
    const m = Math.round(Number(e.target.value));
    if (m >= 1 && m <= L.max_u) session.edit((r) => { r.output_layer = { ...r.output_layer, units: m }; delete r.output_layer.kernel; delete r.output_layer.bias; });
  });
  bind("out-activation", "change", (e) => session.edit((r) => { r.output_layer.activation = e.target.value; }));
  bind("out-bias", "change", (e) => session.edit((r) => {
    session.explicit();
    r.output_layer.use_bias = e.target.checked;
    delete r.output_layer.bias;
  }));
  document.querySelectorAll("[data-cell-button]").forEach((b) => b.addEventListener("click", () => session.setCell(b.dataset.cellButton)));

  // ---- inputs and weights -----------------------------------------------------------------------------
  const blocks = () => BLOCKS[data.layer];
  const colLabel = (c) => {
    const b = blocks(), per = data.units;
    return b.n === 1 ? `h${sub(c + 1)}` : `${b.sym[Math.floor(c / per)]}${sub((c % per) + 1)}`;
  };
  const editors = {};
  const editor = (id, o) => {
    if ($(id)) editors[id] = new MatrixEditor($(id), { text: id, digits: 6, wide: true, maxCells: MAX_CELLS, ...o });
  };
  editor("ed-inputs", {
    label: () => t("ed.inputs"), rowLabel: (r) => `t=${r + 1}`, colLabel: (c) => `x${sub(c + 1)}`,
    maxRows: L.max_t, maxCols: L.max_d, onChange: (m) => setInputs(m),
  });
  const weightEditor = (id, key, rowLabel, label) => editor(id, {
    label, rowLabel, colLabel, blocks: 1, blockNames: () => blocks().names(),
    onChange: (m) => session.edit((q) => {
      session.explicit();
      q[key] = key === "bias" && m.length === 1 && !Array.isArray(q.bias?.[0]) ? m[0] : m;
    }),
  });
  weightEditor("ed-kernel", "kernel", (r) => `x${sub(r + 1)}`, () => t("ed.kernel"));
  weightEditor("ed-recurrent", "recurrent_kernel", (r) => `h${sub(r + 1)}`, () => t("ed.recurrent"));
  // the bias editors are named without their symbol: the row header says it ("bias b, i₁", not "bias b b, i₁")
  weightEditor("ed-bias", "bias", (r) => (data.layer === "GRU" && data.reset_after ? [t("ed.b_in"), t("ed.b_rec")][r] : "b"), () => t("ed.bias_name"));
  editor("ed-out-kernel", {
    label: () => t("ed.out_kernel"), rowLabel: (r) => `h${sub(r + 1)}`, colLabel: (c) => `y${sub(c + 1)}`,
    onChange: (m) => session.edit((q) => { session.explicit(); q.output_layer.kernel = m; }),
  });
  editor("ed-out-bias", {
    label: () => t("ed.out_bias_name"), rowLabel: () => "c", colLabel: (c) => `y${sub(c + 1)}`,
    onChange: (m) => session.edit((q) => { session.explicit(); q.output_layer.bias = m[0]; }),
  });

  function setInputs(m) {
    session.edit((q) => {
      const d = m[0].length, dOld = data.input_dim;
      if (d !== dOld) {
        session.explicit();
        q.kernel = d > dOld ? [...q.kernel, ...Array.from({ length: d - dOld }, () => q.kernel[0].map(() => 0))] : q.kernel.slice(0, d);
      }
      q.inputs = m;
    });
  }
  function renderEditors() {
    const w = data.weights, b = blocks();
    for (const id of ["ed-kernel", "ed-recurrent", "ed-bias"]) if (editors[id]) editors[id].o.blocks = b.n;
    editors["ed-inputs"]?.set(session.req.inputs);
    editors["ed-kernel"]?.set(w.kernel);
    editors["ed-recurrent"]?.set(w.recurrent_kernel);
    if (editors["ed-bias"]) {
      $("bias-section").hidden = !w.bias;
      if (w.bias) editors["ed-bias"].set(Array.isArray(w.bias[0]) ? w.bias : [w.bias]);
    }
    if (editors["ed-out-kernel"] && w.output_layer) {
      editors["ed-out-kernel"].set(w.output_layer.kernel);
      $("out-bias-section").hidden = !w.output_layer.bias;
      if (w.output_layer.bias) editors["ed-out-bias"].set([w.output_layer.bias]);
    }
    $("init-note").textContent = w.initialized.length
      ? t("ed.initialized", { names: w.initialized.join(", "), seed: session.req.seed ?? 0 }) : t("ed.given");
  }
  const rows = () => session.req.inputs;
  bind("add-step", "click", () => rows().length < L.max_t && setInputs([...clone(rows()), rows()[0].map(() => 0)]));
  bind("del-step", "click", () => rows().length > 1 && setInputs(clone(rows()).slice(0, -1)));
  bind("add-feature", "click", () => rows()[0].length < L.max_d && setInputs(rows().map((r) => [...r, 0])));
  bind("del-feature", "click", () => rows()[0].length > 1 && setInputs(rows().map((r) => r.slice(0, -1))));

  // ---- the Keras panel: the API's code; the lecture's other parameters, left at Keras' defaults --------
  function keras() {
    renderKeras($("keras"), data.keras, { remarks: [t(`keras.note_${data.layer}`)], defaults: DEFAULTS });
  }

  // ---- sensitivity ------------------------------------------------------------------------------------
  function renderSensitivity() {
    if (!data || !$("sens-chart")) return;
    const log = $("sens-log")?.checked ?? false;
    barChart($("sens-chart"), data.sensitivity, { label: t("sens.chart_label"), current: session.state.step, log,
      onPick: (i) => { player.pause(); player.seek(i); } });
    const T = data.timesteps;
    $("sens-read").textContent = t("sens.read", { T: sub(T), first: fmt(data.sensitivity[0]), last: fmt(data.sensitivity[T - 1]) });
    // when the chart does not show the quote's forgetting, say why (the API's numbers, read as they are)
    const sens = data.sensitivity, why = $("sens-why");
    const zero = sens.every((v) => v === 0), grows = T > 1 && sens[0] > sens[T - 1];
    why.hidden = !(zero || grows);
    const link = h("a", { href: $("demo-h") ? "#demo-h" : "/lstm#demo-h" }, t("sens.demo_link"));
    if (zero) why.replaceChildren(t("sens.why_zero"), " ", link, ".");
    else if (grows) why.replaceChildren(t("sens.why_grow", { act: data.activation }), " ", link, ".");
  }
  bind("sens-log", "change", renderSensitivity);

  onLangChange(() => {
    if (!data) return;
    fillPresets();
    renderEditors();
    keras();
    page.renderAll(data, session);
    page.renderStep(data, session.state.step, session);
    renderSensitivity();
    syncSettings();
  });

  await session.init();
  if (!data) fillPresets(); // the first request failed: still offer the presets
  page.ready?.(session, player);
  return { session, player };
}

