// /lstm: the LSTM (or GRU) cell step by step: valves for the gates, the memory on a conveyor belt,
// gate heatmaps, c_t and h_t over time, formulas, and why gates help remember (SimpleRNN vs LSTM).
import { postJSON } from "../lib/api.js";
import { fmt, onLangChange, t } from "../lib/i18n.js";
import { start } from "../rnn/app.js";
import { CellDiagram } from "../rnn/cell.js";
import { barChart, heatmap, linePlot } from "../rnn/charts.js";
import { h, sub } from "../lib/dom.js";
import { fit, setNumber } from "../lib/numfmt.js";
import { renderFormulas } from "../rnn/formulas.js";

const $ = (id) => document.getElementById(id);
const diagram = new CellDiagram($("cell"));
let player = null;
let session = null;

const GATES = {
  LSTM: [["input", "gate.input", "seq"], ["forget", "gate.forget", "seq"], ["candidate", "gate.candidate", "div"],
    ["output", "gate.output", "seq"]],
  GRU: [["update", "gate.update", "seq"], ["reset", "gate.reset", "seq"], ["candidate", "gate.candidate_h", "div"]],
};
const FORMULAS = {
  LSTM: [["formula.input", "input"], ["formula.forget", "forget"], ["formula.candidate", "candidate"],
    ["formula.out_gate", "output"], ["formula.cell", "cell"], ["formula.hidden", "hidden"]],
  GRU: [["formula.update", "update"], ["formula.reset", "reset"], ["formula.candidate", "candidate"],
    ["formula.hidden", "hidden"]],
};
const METER_KEYS = { LSTM: ["lstm.gate_i", "lstm.gate_f", "lstm.gate_o"], GRU: ["gru.gate_z", "gru.gate_r"] };
const METER_GATES = { LSTM: ["input", "forget", "output"], GRU: ["update", "reset"] };

const unit = () => session?.state.unit ?? 0;
const seek = (i) => { player?.pause(); player?.seek(i); };

function renderUnits(data) {
  const sel = $("unit");
  sel.replaceChildren(...Array.from({ length: data.units }, (_, k) => h("option", { value: k }, String(k + 1))));
  sel.value = String(unit());
}

function renderHeat(data, i) {
  const box = $("heat");
  const gates = GATES[data.layer];
  if (box.dataset.layer !== `${data.layer}/${data.timesteps}/${data.units}/${document.documentElement.lang}`) {
    box.dataset.layer = `${data.layer}/${data.timesteps}/${data.units}/${document.documentElement.lang}`;
    box.replaceChildren();
    for (const [name, key] of gates) {
      const canvas = h("canvas", { "data-gate": name, role: "img", "aria-label": t(key) });
      canvas.addEventListener("click", (e) => seek(Math.floor(e.offsetX / Number(canvas.dataset.cw))));
      box.append(h("span", { class: "heat-name" }, t(key)), h("div", { class: "heat-scroll" }, [canvas]));
    }
  }
  for (const [name, , scale] of gates) {
    const rows = Array.from({ length: data.units }, (_, k) => data.steps.map((s) => s.gates[name][k]));
    heatmap(box.querySelector(`canvas[data-gate="${name}"]`), rows, { scale, current: i, upto: i });
  }
}

function renderPlot(data, i) {
  const k = unit();
  const series = [];
  if (data.cell) series.push({ name: "c", values: data.cell.map((r) => r[k]), cls: "c" });
  series.push({ name: "h", values: data.hidden.map((r) => r[k]), cls: "h" });
  $("plot-h").textContent = t(data.cell ? "lstm.plot_h" : "gru.plot_h");
  linePlot($("plot"), series, { label: t("lstm.plot_label"), current: i, showValues: true });
}

function renderTimeline(data, i) {
  const k = unit(), lstm = data.layer === "LSTM";
  $("timeline-h").textContent = t("lstm.timeline", { k: k + 1 });
  const cols = lstm ? ["i", "f", "c̃", "o", "cₜ", "hₜ"] : ["z", "r", "h̃", "hₜ"];
  const keys = lstm ? ["input", "forget", "candidate", "output"] : ["update", "reset", "candidate"];
  const head = h("tr", {}, [h("th", { scope: "col" }, "t"), h("th", { scope: "col" }, "xₜ"), ...cols.map((c) => h("th", { scope: "col" }, c))]);
  const rows = data.steps.map((s, ti) => {
    const vals = [...keys.map((g) => s.gates[g][k]), ...(lstm ? [s.c[k]] : []), s.h[k]];
    const cls = ti === i ? "current" : ti > i ? "future" : "";
    return h("tr", { class: cls, "data-t": ti }, [h("th", { scope: "row" }, String(ti + 1)),
      h("td", {}, `(${s.x.map((v) => fit(v, 7)).join(", ")})`),
      ...vals.map((v, j) => {
        const td = h("td", { class: j >= keys.length ? "state" : "" });
        setNumber(td, v, { chars: 7 });
        return td;
      })]);
  });
  $("timeline").replaceChildren(h("table", { class: "timeline" }, [h("thead", {}, [head]), h("tbody", {}, rows)]));
}

/** How open a gate is, in words that do not round: closed only at exactly 0, open only at exactly 1. */
function openness(v) {
  if (v <= 0) return t("lstm.closed");
  if (v >= 1) return t("lstm.open");
  return t("lstm.open_pct", { p: fit(v * 100, 5, 1) });
}

function renderMeters(data, i) {
  const k = unit(), st = data.steps[i];
  $("meters").replaceChildren(...METER_GATES[data.layer].map((g, j) => {
    const v = st.gates[g][k];
    const bar = h("span", { class: "meter-fill" });
    bar.style.width = `${Math.max(0, Math.min(1, v)) * 100}%`;
    return h("div", { class: "meter" }, [h("span", { class: "meter-name" }, t(METER_KEYS[data.layer][j])),
      h("span", { class: "meter-bar", "aria-hidden": "true" }, [bar]),
      h("output", { class: "meter-val" }, `${fmt(v, 4)} · ${openness(v)}`)]);
  }));
}

function renderStep(data, i) {
  const k = unit(), st = data.steps[i];
  diagram.show(data, i, k);
  if (data.cell) {
    $("memory-label").textContent = t("lstm.memory_now", { t: sub(i + 1) });
    setNumber($("memory-now"), st.c[k], { chars: 9 });
  }
  $("hidden-label").textContent = t("lstm.hidden_now", { t: sub(i + 1) });
  setNumber($("hidden-now"), st.h[k], { chars: 9 });
  renderMeters(data, i);
  renderHeat(data, i);
  renderPlot(data, i);
  renderTimeline(data, i);
  renderFormulas($("formulas"), st, FORMULAS[data.layer]);
}

async function renderDemo() {
  const ids = ["memory-rnn", "memory-lstm"];
  const exs = ids.map((id) => session.example(id));
  if (exs.some((e) => !e)) return;
  const answers = await Promise.all(exs.map((e) => postJSON(e.endpoint, e.request)));
  const draw = () => answers.forEach((res, j) => {
    if (!res.ok) return;
    const d = res.data, name = j ? "lstm" : "rnn";
    $(`demo-${name}-cap`).textContent = t(`demo.${name}`, { h: fmt(d.hidden[d.timesteps - 1][0], 3) });
    barChart($(`demo-${name}`), d.sensitivity, { label: $(`demo-${name}-cap`).textContent, log: true });
    $(`demo-${name}-read`).textContent = t("demo.first", { v: fmt(d.sensitivity[0]) });
  });
  draw();
  onLangChange(draw);
}

$("unit").addEventListener("change", (e) => {
  session.state.unit = Number(e.target.value);
  player.seek(session.state.step);
});

start({
  cells: { lstm: { endpoint: "/api/lstm", preset: "lstm-gates", gates: true },
    gru: { endpoint: "/api/gru", preset: "gru-small", gates: true } },
  defaultCell: "lstm",
  renderAll(data) { renderUnits(data); $("heat").dataset.layer = ""; },
  renderStep,
  // spoken, so plain digits: a screen reader reads "₁" as "subscript one" or not at all (the visible c₁ is notation)
  announceText(data, i) {
    const k = unit(), st = data.steps[i], g = st.gates;
    const n = i + 1;
    if (data.layer === "LSTM") {
      return t("lstm.announce", { t: n, i: fmt(g.input[k], 3), f: fmt(g.forget[k], 3), o: fmt(g.output[k], 3),
        c: fmt(st.c[k]), h: fmt(st.h[k]) });
    }
    return t("gru.announce", { t: n, z: fmt(g.update[k], 3), r: fmt(g.reset[k], 3), h: fmt(st.h[k]) });
  },
  ready(s, p) {
    session = s;
    player = p;
    const prev = p.onState;
    p.onState = (st) => { document.body.classList.toggle("playing", st.playing); prev(st); };
    renderDemo();
  },
});
