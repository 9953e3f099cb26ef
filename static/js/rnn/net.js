// The lecture's picture of one step: inputs x_t and the memory cells (h_{t−1}) feed the hidden
// neurons; each hidden value is stored back into its memory cell; the outputs read the hidden layer.
// Drawn at the box's own width in CSS pixels (1 unit = 1 px), so labels keep their size (12 px, values
// 13 px) on any screen: nodes grow to hold their numbers (lib/numfmt.js), and when the nodes need more
// room than the box has, the drawing is wider and its box scrolls sideways.
// No line crosses a label: inputs and memory cells are named under their boxes (lines leave from the top),
// outputs above their circles (lines arrive from below), hidden neurons on their left (lines arrive from
// below and leave from the top; the dashed store leaves from the lower right, below the labels).
import { diverging, textOn } from "../lib/colors.js";
import { t } from "../lib/i18n.js";
import { h, s, sub } from "../lib/dom.js";
import { fit, setNumber, widest } from "../lib/numfmt.js";

const MAX = 8, VALUE_PX = 13, LABEL_PX = 12, GROUP_GAP = 36, MIN_GAP = 16, PAD = 10;
const BULGE = 46; // the room right of a memory cell for the dashed store curve (its control points: +60, +50)
const CHARS = 7; // a node holds "-0.9999"

/** Rough width of a label in px: CJK characters are 1 em, others about 0.62 em. */
const textWidth = (text, px) => [...text].reduce((w, ch) => w + (ch.codePointAt(0) > 0x2e80 ? 1 : 0.62), 0) * px;

/** A node and its name: `at` "below" (boxes), "above" (outputs) or "left" (hidden neurons). */
function node(g, x, y, value, maxAbs, label, cls, size, shape, at) {
  const fill = diverging(value, maxAbs), r = size.r;
  const grp = s("g", { class: `node ${cls}` });
  if (shape === "circle") grp.append(s("circle", { cx: x, cy: y, r, fill }));
  else grp.append(s("rect", { x: x - r - 1, y: y - 16, width: 2 * r + 2, height: 32, rx: 4, fill }));
  const value_ = s("text", { x, y: y + 5, "text-anchor": "middle", class: "nv", fill: textOn(fill) });
  setNumber(value_, value, { chars: size.chars });
  const name = at === "left" ? { x: x - r - 4, y: y + 4, "text-anchor": "end" }
    : at === "above" ? { x, y: y - r - 5, "text-anchor": "middle" }
      : { x, y: (shape === "circle" ? y + r : y + 16) + LABEL_PX + 2, "text-anchor": "middle" };
  grp.append(value_, s("text", { ...name, class: "nl" }, label));
  g.append(grp);
}

const spread = (n, x0, x1) => Array.from({ length: n }, (_, k) => (n === 1 ? (x0 + x1) / 2 : x0 + (k * (x1 - x0)) / (n - 1)));

/** Draw step i of a SimpleRNN answer into container, or a note when the sizes are large. */
export function drawNet(container, data, i) {
  const st = data.steps[i], d = data.input_dim, u = data.units;
  const m = data.outputs ? data.outputs[0].length : 0;
  if (d > MAX || u > MAX || m > MAX) {
    container.replaceChildren(h("p", { class: "muted" }, t("net.too_big", { max: MAX })));
    return;
  }
  const values = [...st.x, ...st.h_prev, ...st.h, ...(st.output || [])];
  const chars = Math.min(CHARS, widest(values, CHARS));
  const longest = Math.max(...values.map((v) => fit(v, chars).length));
  const size = { chars, r: Math.max(20, Math.ceil((longest * 0.62 * VALUE_PX) / 2) + 6) };
  const labels = {
    x: st.x.map((_, k) => `x${sub(k + 1)}`),
    m: st.h_prev.map((_, k) => t("net.memory", { k: k + 1 })),
    h: st.h.map((_, k) => `h${sub(i + 1)}${u > 1 ? `[${k + 1}]` : ""}`),
    y: (st.output || []).map((_, k) => `y${sub(i + 1)}${m > 1 ? `[${k + 1}]` : ""}`),
  };
  // each group spaced for its own names ("memory 1" is wider than "x₁"); the gap between the inputs and the
  // memory cells narrows before the drawing gets wider than its box (a phone)
  const widthOf = (names) => Math.max(0, ...names.map((l) => textWidth(l, LABEL_PX)));
  const r = size.r;
  const xStep = Math.max(2 * r + 2, widthOf(labels.x)) + 14, mStep = Math.max(2 * r + 2, widthOf(labels.m)) + 14;
  const hStep = 2 * r + widthOf(labels.h) + 12, yStep = Math.max(2 * r, widthOf(labels.y)) + 14;
  const room = Math.max(280, container.clientWidth || 460);
  const bottom = (gap) => PAD + d * xStep + gap + u * mStep - mStep / 2 + Math.max(mStep / 2, BULGE) + PAD;
  const gap = Math.max(MIN_GAP, Math.min(GROUP_GAP, GROUP_GAP - (bottom(GROUP_GAP) - room)));
  const hRow = (u - 1) * hStep + 2 * (r + 4 + widthOf(labels.h)); // centred, the first name on its left
  const W = Math.max(room, bottom(gap), 2 * PAD + hRow, 2 * PAD + m * yStep);
  const H = (m ? 300 : 220) + 2 * (r - 20), yY = 30 + r, yH = m ? H / 2 : 30 + r, yX = H - 40;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: "net", role: "img",
    "aria-label": t("net.label", { t: i + 1 }) });
  const xEnd = PAD + d * xStep, mStart = xEnd + gap + (W - bottom(gap)) / 2;
  const xs = spread(d, PAD + xStep / 2, xEnd - xStep / 2);
  const ms = spread(u, mStart + mStep / 2, mStart + u * mStep - mStep / 2);
  const hs = spread(u, W / 2 - ((u - 1) * hStep) / 2, W / 2 + ((u - 1) * hStep) / 2);
  const ys = spread(m, W / 2 - ((m - 1) * yStep) / 2, W / 2 + ((m - 1) * yStep) / 2);
  const maxAbs = Math.max(1e-9, ...values.map(Math.abs));
  const edges = s("g", { class: "edges" });
  for (const hx of hs) {
    for (const x of xs) edges.append(s("line", { x1: x, y1: yX - 16, x2: hx, y2: yH + r, class: "e-w" }));
    for (const x of ms) edges.append(s("line", { x1: x, y1: yX - 16, x2: hx, y2: yH + r, class: "e-u" }));
    for (const y of ys) edges.append(s("line", { x1: hx, y1: yH - r, x2: y, y2: yY + r, class: "e-v" }));
  }
  // store: hidden j -> memory j (dashed), the copy used at the next step; it leaves the circle at its lower
  // right and only goes down from there, under the next neuron's name
  hs.forEach((hx, j) => {
    const x0 = hx + 0.5 * r, y0 = yH + 0.87 * r;
    edges.append(s("path", { d: `M ${x0} ${y0} C ${ms[j] + 60} ${y0}, ${ms[j] + 50} ${yX - 40}, ${ms[j] + 22} ${yX - 18}`,
      class: "e-store", "marker-end": "url(#arrow)" }));
  });
  svg.append(s("defs", {}, [s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" },
    [s("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead" })])]), edges);
  const g = s("g");
  st.x.forEach((v, k) => node(g, xs[k], yX, v, maxAbs, labels.x[k], "nx", size, "rect", "below"));
  st.h_prev.forEach((v, k) => node(g, ms[k], yX, v, maxAbs, labels.m[k], "nm", size, "rect", "below"));
  st.h.forEach((v, k) => node(g, hs[k], yH, v, maxAbs, labels.h[k], "nh", size, "circle", "left"));
  (st.output || []).forEach((v, k) => node(g, ys[k], yY, v, maxAbs, labels.y[k], "ny", size, "circle", "above"));
  svg.append(g);
  container.replaceChildren(svg);
}
