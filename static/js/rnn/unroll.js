// The RNN unrolled over time: one column per step (x_t below, the memory h_t in the middle, y_t above),
// arrows carrying h_t to the next step. Columns after the current step keep their values hidden.
// A phone shows the lecture's three steps whole; a longer sequence scrolls in its own box, with a cue on the
// side where more steps are (scrollcue.js), and the current step is scrolled into the middle.
import { diverging, textOn } from "../lib/colors.js";
import { fmt, t } from "../lib/i18n.js";
import { h, sub } from "../lib/dom.js";
import { setNumber } from "../lib/numfmt.js";
import { scrollCue } from "./scrollcue.js";

const CHARS = 7; // a value box holds "-0.9999"

function cells(values, maxAbs, cls) {
  return h("div", { class: `uvals ${cls}` }, values.map((v) => {
    const bg = diverging(v, maxAbs);
    const el = h("span", { class: "v", "data-v": fmt(v) });
    setNumber(el, v, { chars: CHARS });
    el.style.background = bg;
    el.style.color = textOn(bg);
    return el;
  }));
}

export class Unrolled {
  constructor(container, { onPick }) {
    this.root = container;
    this.onPick = onPick;
    scrollCue(container);
    container.addEventListener("click", (e) => {
      const col = e.target.closest(".ucol[data-t]");
      if (col) onPick(Number(col.dataset.t));
    });
  }

  /** data: the API's answer; hKey names the state shown in the memory row ("hidden" or "cell"). */
  render(data) {
    const T = data.timesteps;
    const hAbs = Math.max(1e-9, ...data.hidden.flat().map(Math.abs));
    const xAbs = Math.max(1e-9, ...data.steps.flatMap((s) => s.x).map(Math.abs));
    const yAbs = data.outputs ? Math.max(1e-9, ...data.outputs.flat().map(Math.abs)) : 1;
    const h0 = Array.isArray(data.initial_state) ? data.initial_state : data.initial_state.h;
    const cols = [h("div", { class: "ucol init" }, [
      data.outputs ? h("div", { class: "ulabel" }) : null,
      h("div", { class: "ubox mem", title: t("unroll.h0") }, [h("span", { class: "uname" }, "h₀"), cells(h0, hAbs, "h")]),
      h("div", { class: "ulabel" }),
      h("div", { class: "ut" }, t("unroll.start")),
    ])];
    for (let i = 0; i < T; i++) {
      cols.push(h("div", { class: "ucol", "data-t": i, title: t("unroll.col", { t: i + 1 }) }, [
        data.outputs ? h("div", { class: "ubox out" }, [h("span", { class: "uname" }, `y${sub(i + 1)}`), cells(data.outputs[i], yAbs, "y")]) : null,
        h("div", { class: "ubox mem" }, [h("span", { class: "uname" }, `h${sub(i + 1)}`), cells(data.hidden[i], hAbs, "h")]),
        h("div", { class: "ubox in" }, [h("span", { class: "uname" }, `x${sub(i + 1)}`), cells(data.steps[i].x, xAbs, "x")]),
        h("button", { type: "button", class: "ut", tabindex: -1 }, `t = ${i + 1}`),
      ]));
    }
    this.root.replaceChildren(h("div", { class: "unroll" }, cols));
  }

  show(i) {
    this.root.querySelectorAll(".ucol[data-t]").forEach((col) => {
      const k = Number(col.dataset.t);
      col.classList.toggle("current", k === i);
      col.classList.toggle("future", k > i);
      col.setAttribute("aria-current", k === i ? "step" : "false");
    });
    const cur = this.root.querySelector(".ucol.current");
    if (cur) {
      const box = this.root, left = cur.offsetLeft - box.clientWidth / 2 + cur.clientWidth / 2;
      box.scrollTo({ left: Math.max(0, left), behavior: "auto" });
    }
  }
}
