// /rnn: SimpleRNN unrolled over time, the lecture's example with every weight 1, memory cells, sensitivity.
import { fmt, t } from "../lib/i18n.js";
import { start } from "../rnn/app.js";
import { renderFormulas } from "../rnn/formulas.js";
import { drawNet } from "../rnn/net.js";
import { Unrolled } from "../rnn/unroll.js";

const $ = (id) => document.getElementById(id);
let player = null;
let shown = null; // [data, i] of the step picture, redrawn at a new width
new ResizeObserver(() => { if (shown) drawNet($("net"), ...shown); }).observe($("net"));
const unrolled = new Unrolled($("unroll"), { onPick: (i) => { player?.pause(); player?.seek(i); } });
const vec = (v) => `(${v.map((x) => fmt(x)).join(", ")})`;

start({
  cells: { rnn: { endpoint: "/api/rnn", preset: "rnn-lecture" } },
  defaultCell: "rnn",
  renderAll(data) { unrolled.render(data); },
  renderStep(data, i) {
    unrolled.show(i);
    shown = [data, i];
    drawNet($("net"), data, i);
    $("step-title").textContent = t("rnn.step_title", { t: i + 1, n: data.timesteps });
    renderFormulas($("formulas"), data.steps[i], [["formula.hidden", "hidden"], ["formula.output", "output"]]);
  },
  // spoken, so plain digits: a screen reader reads "₁" as "subscript one" or not at all (the visible h₁ is notation)
  announceText(data, i) {
    const st = data.steps[i];
    const y = st.output ? t("rnn.announce_y", { y: vec(st.output) }) : "";
    return t("rnn.announce", { t: i + 1, h: vec(st.h) }) + y;
  },
  ready(_session, p) { player = p; },
});
