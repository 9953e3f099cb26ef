// The model section: summary, training curve, confusion matrix, recall per digit on the test set and on the
// robustness set (and its confusion matrix), how it was trained (settings, augmentation, time, machine),
// misclassified test digits and the architecture, all from the model card (GET /api/mnist/model).
import { sequential, textOn } from "../lib/colors.js";
import { fmt, t } from "../lib/i18n.js";
import { h as el } from "../lib/dom.js";
import { paintMap, percent } from "./paint.js";

const INK = "#1c1c1c", GRID = "#d9d6cf", BLUE = "rgb(33,102,172)", ORANGE = "rgb(230,97,1)";

/** A small line chart on a canvas: series [{values, colour, label, dash}], y range [lo, hi], grid lines at
 * `ticks` (default: five, evenly from lo to hi). Under the plot: a row of epoch numbers, each centred on its
 * point, and below them the axis title on a line of its own, centred: beside the last number it crowded it
 * (and its descender met the frame). */
function lineChart(canvas, title, series, lo, hi, yFormat, ticks = [0, 1, 2, 3, 4].map((k) => lo + ((hi - lo) * k) / 4)) {
  const W = 320, H = 200; // the drawing's own units: 320×200 CSS px, or larger in presenter mode (draw.css)
  // pixels per unit: the screen's density times how much larger than 320 px the canvas is shown, so a projector's
  // 500 px chart is drawn sharp, its 12-unit labels ~19 CSS px
  const shown = canvas.getBoundingClientRect().width;
  const dpr = Math.min(4, Math.min(2, window.devicePixelRatio || 1) * Math.max(1, shown / W || 1));
  canvas.width = Math.round(W * dpr);
  canvas.height = Math.round(H * dpr);
  const ctx = canvas.getContext("2d");
  ctx.scale(canvas.width / W, canvas.height / H);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, W, H);
  const legend = series.some((s) => s.label);
  const L = 52, R = 12, T = legend ? 44 : 26, B = 44; // B: the numbers' row, the title's row and a margin
  const n = Math.max(...series.map((s) => s.values.length));
  const x = (k) => L + (n > 1 ? (k / (n - 1)) * (W - L - R) : (W - L - R) / 2);
  const y = (v) => T + (1 - (v - lo) / (hi - lo || 1)) * (H - T - B);
  ctx.font = "12px system-ui, sans-serif";
  ctx.fillStyle = INK;
  ctx.fillText(title, L, 17); // (brackets and CJK reach higher than Latin capitals: not at the edge)
  ctx.strokeStyle = GRID;
  ctx.lineWidth = 1;
  for (const v of ticks) {
    ctx.beginPath(); ctx.moveTo(L, y(v)); ctx.lineTo(W - R, y(v)); ctx.stroke();
    ctx.fillText(yFormat(v), 4, y(v) + 4);
  }
  ctx.textAlign = "center";
  for (let k = 0; k < n; k += Math.max(1, Math.ceil(n / 8))) ctx.fillText(String(k + 1), x(k), H - B + 16);
  ctx.fillText(t("draw.model.epoch"), (L + W - R) / 2, H - 9);
  ctx.textAlign = "start";
  let legendX = L;
  for (const s of series) {
    ctx.strokeStyle = s.colour;
    ctx.lineWidth = 2;
    ctx.setLineDash(s.dash || []);
    ctx.beginPath();
    s.values.forEach((v, k) => (k ? ctx.lineTo(x(k), y(v)) : ctx.moveTo(x(k), y(v))));
    ctx.stroke();
    s.values.forEach((v, k) => { ctx.beginPath(); ctx.arc(x(k), y(v), 2.5, 0, 2 * Math.PI); ctx.fillStyle = s.colour; ctx.fill(); });
    if (s.label) {
      ctx.beginPath(); ctx.moveTo(legendX, 30); ctx.lineTo(legendX + 16, 30); ctx.stroke();
      ctx.fillStyle = INK;
      ctx.fillText(s.label, legendX + 20, 34);
      legendX += 26 + ctx.measureText(s.label).width;
    }
    ctx.setLineDash([]);
  }
}

function historyTable(table, history) {
  table.replaceChildren();
  const head = el("tr");
  const average = history.some((h) => h.val_acc_ema !== undefined);   // the model may be the weights' running average
  const keys = ["draw.model.epoch", "draw.model.loss", "draw.model.train_acc", "draw.model.val_acc"];
  for (const key of average ? [...keys, "draw.model.val_acc_ema"] : keys) head.appendChild(el("th", { scope: "col" }, t(key)));
  table.appendChild(head);
  for (const h of history) {
    const tr = el("tr");
    tr.append(el("td", {}, String(h.epoch)), el("td", {}, h.loss.toFixed(4)), el("td", {}, percent(h.train_acc)), el("td", {}, percent(h.val_acc)));
    if (average) tr.append(el("td", {}, h.val_acc_ema === undefined ? "" : percent(h.val_acc_ema)));
    table.appendChild(tr);
  }
}

/** A share read right, one decimal: 100.0% only when every one was (0.9996 is 99.9%). */
const recallText = (r) => `${(r >= 1 ? 100 : Math.min(Math.round(r * 1000) / 10, 99.9)).toFixed(1)}%`;

/** Recall per digit on the test set and on the robustness set, the robustness set's accuracy and confusion matrix. */
function renderRobustness(card, { robustSummary, recall, robustConfusion }) {
  const robust = card.robustness;
  robustSummary.textContent = robust
    ? t("draw.model.robust_summary", { size: robust.size, acc: recallText(robust.accuracy), file: robust.file }) : "";
  recall.replaceChildren();
  // a row per digit, a column per set: 3 columns fit a phone (10 digit columns scrolled their row names away)
  const sets = [["draw.model.test_row", card.test_recall_per_digit], ["draw.model.robust_row", robust?.recall_per_digit]]
    .filter(([, values]) => values);
  const head = el("tr");
  head.appendChild(el("th", { scope: "col" }, t("draw.model.digit")));
  for (const [key] of sets) head.appendChild(el("th", { scope: "col" }, t(key)));
  recall.appendChild(head);
  for (let d = 0; d < 10; d++) {
    const tr = el("tr");
    tr.appendChild(el("th", { scope: "row" }, String(d)));
    for (const [, values] of sets) tr.appendChild(el("td", {}, recallText(values[d])));
    recall.appendChild(tr);
  }
  if (robust?.confusion_matrix) confusionTable(robustConfusion, robust.confusion_matrix);
  else robustConfusion.replaceChildren();
}

const AUGMENT_WORDS = {  // settings.augmentation key -> (value, settings) -> the words' values, or null to leave it out
  rotate_deg: (v) => ({ v }),
  shear: (v) => ({ v }),
  scale: (v) => ({ a: v[0], b: v[1] }),
  aspect: (v) => ({ a: Math.exp(-v).toFixed(2), b: Math.exp(v).toFixed(2) }),
  shift_px: (v) => ({ v }),
  elastic_px: (v, s) => ({ v, grid: s.elastic_grid }),
  small_p: (v) => ({ p: Math.round(v * 100) }),
  pen_p: (v, s) => ({ p: Math.round(v * 100), thick: s.pen_thick ? s.pen_thick[1] : 0.8 }),
  serif_p: (v) => ({ p: Math.round(v * 100) }),
  cross_p: (v) => ({ p: Math.round(v * 100) }),
  blur_p: (v) => ({ p: Math.round(v * 100) }),
  lowres_p: (v, s) => ({ p: Math.round(v * 100), a: s.lowres_px[0], b: s.lowres_px[1] }),
  anneal: (v) => (v ? { to: Math.round(v.to * 100), last: Math.round((1 - v.from) * 100) } : null),
};

/** How the model was trained: epochs, optimizer and schedule, model selection, every augmentation, time, machine. */
function renderTraining(card, list) {
  list.replaceChildren();
  const s = card.settings || {}, hw = card.hardware || {}, lr = s.lr_schedule || {}, aug = s.augmentation || {};
  const add = (key, ...texts) => {
    list.appendChild(el("dt", {}, t(key)));
    for (const text of texts) list.appendChild(el("dd", {}, text));
  };
  if (card.training_seconds) {
    add("draw.model.t_time", t("draw.model.t_time_text", { s: Math.round(card.training_seconds), cpu: Math.round(card.training_cpu_seconds || 0),
      p: s.processes ?? 1, date: (card.date || "").slice(0, 10) }));
  }
  if (hw.cpu) add("draw.model.t_machine", t("draw.model.t_machine_text", { cpu: hw.cpu, cores: hw.cores, python: hw.python, numpy: hw.numpy, blas: hw.blas }));
  if (s.epochs) {
    add("draw.model.t_data", t("draw.model.t_data_text", { epochs: s.epochs, batch: s.batch_size, seed: s.seed,
      train: (s.train_size ?? 0).toLocaleString("en"),
      val: Number(String(s.validation ?? "").match(/\d+/)?.[0] ?? 0).toLocaleString("en") }));
  }
  if (s.optimizer) {
    add("draw.model.t_optimizer", t("draw.model.t_optimizer_text", { opt: s.optimizer, max: lr.lr_max, min: lr.lr_min, warmup: lr.warmup_steps }));
  }
  if (card.best_epoch) {
    add("draw.model.t_selection", t("draw.model.t_selection_text", { decay: s.weight_average?.decay ?? "", epoch: card.best_epoch,
      which: t(card.selected_weights === "average" ? "draw.model.t_average" : "draw.model.t_weights"),
      val: recallText(card.validation_accuracy ?? 0) }));
  }
  const augTexts = [];
  for (const [key, value] of Object.entries(aug)) {
    const words = AUGMENT_WORDS[key];
    const values = words && value !== null ? words(value, aug) : null;
    if (values) augTexts.push(t(`draw.model.aug.${key}`, values));
  }
  if (augTexts.length) add("draw.model.t_augment", ...augTexts);
}

function confusionTable(table, matrix) {
  table.replaceChildren();
  let maxOff = 1;
  matrix.forEach((row, a) => row.forEach((v, b) => { if (a !== b) maxOff = Math.max(maxOff, v); }));
  const head = el("tr");
  // the corner's words: read out everywhere, hidden on a phone (the caption says the same), where the ten columns need
  // its width
  head.appendChild(el("th", { scope: "col", class: "corner" },
    [el("span", { class: "sr-narrow" }, `${t("draw.model.true")} \\ ${t("draw.model.predicted")}`)]));
  for (let b = 0; b < 10; b++) head.appendChild(el("th", { scope: "col" }, String(b)));
  table.appendChild(head);
  matrix.forEach((row, a) => {
    const tr = el("tr");
    tr.appendChild(el("th", { scope: "row" }, String(a)));
    row.forEach((v, b) => {
      const td = el("td", {}, String(v));
      if (a === b) td.classList.add("diag");
      else if (v > 0) {
        const bg = sequential(0.15 + (0.85 * Math.log1p(v)) / Math.log1p(maxOff));
        td.style.background = bg;
        td.style.color = textOn(bg);
      }
      tr.appendChild(td);
    });
    table.appendChild(tr);
  });
}

/** Fill the model section from the card; `onMistake(m)` runs a misclassified test digit. */
export function renderModel(card, nodes, onMistake) {
  const { summary, lossCanvas, accCanvas, history, confusion, mistakes, architecture } = nodes;
  const hist = card.history || [];
  summary.textContent = t("draw.model.summary", {
    acc: `${(card.test_accuracy * 100).toFixed(2)}%`, errors: card.test_errors ?? "?", params: (card.total_params ?? 0).toLocaleString("en"),
    epochs: hist.length, minutes: fmt((card.training_seconds || 0) / 60, 1),
  });
  if (hist.length) {
    const losses = hist.map((h) => h.loss);
    // four intervals of a round step (0.2: 0, 0.2, ... 0.8), not of the largest loss × 1.1, whose exact ticks were
    // written as 7.48e-1 and ran into the title
    const top = Math.max(...losses) * 1.05 || 1;
    const unit = 10 ** Math.floor(Math.log10(top / 4));
    const lossStep = [1, 2, 2.5, 5, 10].map((m) => m * unit).find((d) => 4 * d >= top);
    const lossTicks = [0, 1, 2, 3, 4].map((k) => Number((k * lossStep).toPrecision(12)));
    lineChart(lossCanvas, t("draw.model.loss"), [{ values: losses, colour: ORANGE }], 0, lossTicks[4], (v) => fmt(v, 3),
      lossTicks);
    const accs = hist.flatMap((h) => [h.train_acc, h.val_acc]);
    // whole-percent grid lines at a round step, at most five intervals down to the lowest accuracy (75, 80, ... 100%)
    const least = Math.min(...accs);
    const step = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25].find((d) => 1 - Math.floor(least / d + 1e-9) * d <= 5 * d + 1e-9) || 0.25;
    const lo = Math.max(0, Math.floor(least / step + 1e-9) * step);
    const ticks = Array.from({ length: Math.round((1 - lo) / step) + 1 }, (_, k) => lo + k * step);
    lineChart(accCanvas, t("draw.model.acc"), [
      { values: hist.map((h) => h.train_acc), colour: ORANGE, label: t("draw.model.train_acc"), dash: [4, 3] },
      { values: hist.map((h) => h.val_acc), colour: BLUE, label: t("draw.model.val_acc") },
    ], lo, 1, (v) => `${Math.round(v * 100)}%`, ticks);
    const label = t("draw.model.curve_label", { a: losses[0].toFixed(3), b: losses.at(-1).toFixed(3), c: percent(hist.at(-1).val_acc) });
    lossCanvas.setAttribute("aria-label", label);
    accCanvas.setAttribute("aria-label", label);
    historyTable(history, hist);
  }
  if (card.confusion_matrix) confusionTable(confusion, card.confusion_matrix);
  renderRobustness(card, nodes);
  renderTraining(card, nodes.training);
  mistakes.replaceChildren();
  for (const m of card.mistakes || []) {
    // the name is the visible caption and, for screen readers, what it means (no aria-label that hides the caption)
    const b = el("button", { type: "button", class: "mistake", title: t("draw.model.mistake_label", m) });
    const canvas = el("canvas", { class: "pixelated", "aria-hidden": "true" });
    paintMap(canvas, 28, 28, (i, j) => m.pixels[i][j], { max: 255 });
    b.append(canvas, el("span", {}, t("draw.model.mistake_caption", m)),
      el("span", { class: "sr-only" }, ` (${t("draw.model.mistake_label", m)})`));
    b.addEventListener("click", () => onMistake(m));
    mistakes.appendChild(b);
  }
  architecture.replaceChildren();
  const head = el("tr");
  for (const key of ["draw.model.layer", "draw.model.kind", "draw.model.shape", "draw.model.params"]) head.appendChild(el("th", { scope: "col" }, t(key)));
  architecture.appendChild(head);
  for (const row of card.architecture || []) {
    const tr = el("tr");
    tr.append(el("td", {}, row.name), el("td", {}, row.kind), el("td", {}, row.output_shape.join("×")), el("td", {}, row.params.toLocaleString("en")));
    architecture.appendChild(tr);
  }
}
