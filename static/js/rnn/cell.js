// The LSTM (or GRU) cell as a diagram: the memory runs along a conveyor belt at the top; each gate is
// a valve whose opening (0 closed .. 1 open) is the gate's value at this step. Built once per kind,
// then only values, fills and openings change, so the valves visibly open and close as steps advance.
import { sequential } from "../lib/colors.js";
import { fmt, t } from "../lib/i18n.js";
import { s, sub } from "../lib/dom.js";
import { setNumber } from "../lib/numfmt.js";

const VAL_CHARS = 6, VAL_W = 6 * 0.62 * 14 + 10; // a value badge holds "0.9999" at 14 units

const VH = 64; // valve height
// the whole and its halves; both halves hold the + and × nodes at x 318..342 (and a margin), so the right half
// shows where c̃'s wire goes (cut at 345 it ran into the edge); at 306/386, 14 units stay 11.1 px at 360 px
const WIDE = "0 0 700 340", LEFT = "0 0 350 340", RIGHT = "314 0 386 340";
const HALF = 345, RIGHT_FROM = 314; // labels left of HALF are the left half's; from RIGHT_FROM on, the right's too
const NARROW = matchMedia("(max-width: 600px)");

const LAYOUT = {
  lstm: {
    belt: "c",
    valves: [
      { key: "forget", sym: "f", x: 170, y: 190, to: [[170, 158], [170, 82]] },
      { key: "input", sym: "i", x: 270, y: 232, to: [[270, 200], [270, 140], [318, 140]] },
      { key: "output", sym: "o", x: 520, y: 262, to: [[520, 230], [520, 212]] },
    ],
    ops: [{ x: 170, y: 70, op: "×" }, { x: 330, y: 70, op: "+" }, { x: 330, y: 140, op: "×" }, { x: 520, y: 200, op: "×" }],
    candidate: { x: 390, y: 232, sym: "c̃", to: [[390, 207], [390, 140], [342, 140]] },
    wires: [[[330, 128], [330, 82]], [[520, 70], [520, 112]], [[520, 150], [520, 188]], [[532, 200], [680, 200]]],
    act: { x: 520, y: 131 },
    out: { x: 688, y: 190 }, // h_t's right end, over the wire's: a long number grows leftwards, inside the drawing
    bus: [[20, 318], [520, 318]],
    drops: [[170, 222, 318], [270, 264, 318], [390, 257, 318], [520, 294, 318]],
  },
  gru: {
    belt: "h",
    valves: [
      { key: "update", sym: "z", x: 170, y: 190, to: [[170, 158], [170, 82]] },
      { key: "keep", sym: "1−z", x: 270, y: 232, to: [[270, 200], [270, 140], [318, 140]] },
      { key: "reset", sym: "r", x: 500, y: 232, to: [[475, 232], [415, 232]] },
    ],
    ops: [{ x: 170, y: 70, op: "×" }, { x: 330, y: 70, op: "+" }, { x: 330, y: 140, op: "×" }],
    candidate: { x: 390, y: 232, sym: "h̃", to: [[390, 207], [390, 140], [342, 140]] },
    wires: [[[330, 128], [330, 82]]],
    act: null,
    out: null,
    bus: [[20, 318], [500, 318]],
    drops: [[170, 222, 318], [270, 264, 318], [390, 257, 318], [500, 264, 318]],
  },
};

const line = (pts, cls = "wire") => s("polyline", { points: pts.map((p) => p.join(",")).join(" "), class: cls });

/** One drawing of the cell (an <svg>), built once per kind; show() changes only values, fills and openings. */
class Drawing {
  constructor(kind, main) {
    const L = LAYOUT[kind];
    this.svg = main ? s("svg", { viewBox: WIDE, class: "cell-svg", role: "img" })
      : s("svg", { viewBox: RIGHT, class: "cell-svg cell-rest", "aria-hidden": "true" });
    const svg = this.svg;
    svg.append(s("path", { d: "M 20 70 L 680 70", class: "belt" }), s("path", { d: "M 20 70 L 680 70", class: "belt-flow" }));
    this.beltName = s("text", { x: 24, y: 44, class: "gname" });
    svg.append(this.beltName);
    this.prev = s("text", { x: 24, y: 104, class: "state" });
    this.next = s("text", { x: 676, y: 104, class: "state", "text-anchor": "end" });
    svg.append(this.prev, this.next);
    for (const w of L.wires) svg.append(line(w));
    svg.append(line(L.bus));
    for (const [x, y0, y1] of L.drops) svg.append(line([[x, y0], [x, y1]]));
    this.busText = s("text", { x: 24, y: 336, class: "gname" });
    svg.append(this.busText);
    this.valves = {};
    for (const v of L.valves) {
      svg.append(line(v.to));
      const g = s("g", { class: "valve" });
      const x0 = v.x - 24, y0 = v.y - VH / 2;
      const fill = s("rect", { x: x0, y: y0, width: 48, height: VH, class: "valve-fill" });
      const door = s("rect", { x: x0, y: y0, width: 48, height: 0, class: "valve-door", opacity: 0.8 });
      const frame = s("rect", { x: x0, y: y0, width: 48, height: VH, rx: 4, class: "valve-frame", "fill-opacity": 0 });
      const sym = s("text", { x: v.x + 30, y: y0 + 14, class: "gsym" }, v.sym);
      // the value on a white badge, so it never sits across the valve's two-tone fill
      const badge = s("rect", { x: v.x - VAL_W / 2, y: v.y - 11, width: VAL_W, height: 22, rx: 4, class: "badge" });
      const val = s("text", { x: v.x, y: v.y + 5, "text-anchor": "middle", class: "gval" });
      g.append(fill, door, frame, sym, badge, val);
      svg.append(g);
      this.valves[v.key] = { fill, door, val, y0 };
    }
    const c = L.candidate;
    svg.append(line(c.to));
    const box = s("g", { class: "box" });
    this.candVal = s("text", { x: c.x, y: c.y + 5, "text-anchor": "middle", class: "gval" });
    box.append(s("rect", { x: c.x - 34, y: c.y - 24, width: 68, height: 48, rx: 6 }),
      s("text", { x: c.x + 38, y: c.y - 10, class: "gsym" }, c.sym), this.candVal);
    svg.append(box);
    for (const o of L.ops) {
      svg.append(s("g", { class: "op" }, [s("circle", { cx: o.x, cy: o.y, r: 12 }),
        s("text", { x: o.x, y: o.y + 5, "text-anchor": "middle" }, o.op)]));
    }
    if (L.act) {
      this.actText = s("text", { x: L.act.x, y: L.act.y + 5, "text-anchor": "middle", class: "gname" });
      this.actBox = s("rect", { x: L.act.x - 34, y: L.act.y - 17, width: 68, height: 34, rx: 6 });
      svg.append(s("g", { class: "box" }, [this.actBox]), this.actText);
      this.outText = s("text", { x: L.out.x, y: L.out.y, class: "state", "text-anchor": "end" });
      svg.append(this.outText);
    }
  }

  valve(key, v) {
    const parts = this.valves[key];
    const bg = sequential(v);
    const closed = (1 - Math.max(0, Math.min(1, v))) * VH;
    parts.fill.setAttribute("fill", bg);
    parts.door.style.height = `${closed}px`;
    parts.door.style.y = `${parts.y0}px`;
    setNumber(parts.val, v, { chars: VAL_CHARS });
  }

  show(data, i, k, kind) {
    const st = data.steps[i], g = st.gates, n = sub1(i);
    this.beltName.textContent = t(`${kind}.conveyor`);
    setNumber(this.candVal, g.candidate[k], { chars: VAL_CHARS + 1 });
    this.busText.textContent = `x${n} = (${st.x.map((v) => fmt(v, 3)).join(", ")}),  h${sub1(i - 1)} = ${fmt(st.h_prev[k], 3)}`;
    if (kind === "lstm") {
      this.valve("forget", g.forget[k]);
      this.valve("input", g.input[k]);
      this.valve("output", g.output[k]);
      this.prev.textContent = `c${sub1(i - 1)} = ${fmt(st.c_prev[k], 3)}`;
      this.next.textContent = `c${n} = ${fmt(st.c[k], 3)}`;
      this.actText.textContent = `${data.activation}(c)`; // act(c): what the output gate reads, never c itself
      const w = Math.max(68, this.actText.textContent.length * 0.62 * 14 + 16);
      this.actBox.setAttribute("x", LAYOUT.lstm.act.x - w / 2);
      this.actBox.setAttribute("width", w);
      this.outText.textContent = `h${n} = ${fmt(st.h[k], 3)}`;
    } else {
      this.valve("update", g.update[k]);
      this.valve("keep", 1 - g.update[k]);
      this.valve("reset", g.reset[k]);
      this.prev.textContent = `h${sub1(i - 1)} = ${fmt(st.h_prev[k], 3)}`;
      this.next.textContent = `h${n} = ${fmt(st.h[k], 3)}`;
    }
  }
}

/**
 * The cell. On a phone the 700-unit drawing is shown as its left half above its right half (a second drawing
 * of the same cell, both as wide as the screen), so its labels stay readable without scrolling sideways:
 * scaled whole to the screen they would be 6 px high.
 */
export class CellDiagram {
  constructor(container) {
    this.root = container;
    this.kind = null;
    this.parts = [];
    NARROW.addEventListener("change", (e) => this.split(e.matches));
  }

  build(kind) {
    this.kind = kind;
    this.parts = [new Drawing(kind, true), new Drawing(kind, false)];
    this.root.replaceChildren(...this.parts.map((d) => d.svg));
    this.split(NARROW.matches);
  }

  split(narrow) {
    if (!this.parts.length) return;
    this.parts[0].svg.setAttribute("viewBox", narrow ? LEFT : WIDE);
    this.root.classList.toggle("split", narrow);
    // each half keeps the labels placed in it (by their x); the others would only show as cut-off edges
    this.parts.forEach((d, half) => d.svg.querySelectorAll("text").forEach((el) => {
      const x = Number(el.getAttribute("x"));
      const outside = narrow && (half === 0 ? x >= HALF : x < RIGHT_FROM);
      if (outside) el.setAttribute("visibility", "hidden");
      else el.removeAttribute("visibility");
    }));
  }

  /** data: the API's answer; i: step; k: unit. */
  show(data, i, k) {
    const kind = data.layer === "GRU" ? "gru" : "lstm";
    if (this.kind !== kind) this.build(kind);
    this.parts[0].svg.setAttribute("aria-label", t(`${kind}.diagram_label`, { t: i + 1, k: k + 1 }));
    for (const d of this.parts) d.show(data, i, k, kind);
  }
}

const sub1 = (i) => sub(i + 1); // step i (0-based) as the lecture writes it: x₁, c₁, ...
