// The lecture's picture of one step: inputs x_t and the memory cells (h_{t−1}) feed the hidden
// neurons; each hidden value is stored back into its memory cell; the outputs read the hidden layer.
import { diverging, textOn } from "../lib/colors.js";
import { fmt, t } from "../lib/i18n.js";
import { s, sub } from "../lib/dom.js";

const W = 460, MAX = 8;

function node(g, x, y, value, maxAbs, label, cls, shape = "circle") {
  const fill = diverging(value, maxAbs);
  const grp = s("g", { class: `node ${cls}` });
  if (shape === "circle") grp.append(s("circle", { cx: x, cy: y, r: 21, fill }));
  else grp.append(s("rect", { x: x - 22, y: y - 16, width: 44, height: 32, rx: 4, fill }));
  grp.append(s("text", { x, y: y + 5, "text-anchor": "middle", class: "nv", fill: textOn(fill) }, fmt(value, 3)),
    s("text", { x, y: shape === "circle" ? y + 36 : y + 30, "text-anchor": "middle", class: "nl" }, label));
  g.append(grp);
}

const spread = (n, x0, x1) => Array.from({ length: n }, (_, k) => (n === 1 ? (x0 + x1) / 2 : x0 + (k * (x1 - x0)) / (n - 1)));

/** Draw step i of a SimpleRNN answer into container (an SVG), or a note when the sizes are large. */
export function drawNet(container, data, i) {
  const st = data.steps[i], d = data.input_dim, u = data.units;
  const m = data.outputs ? data.outputs[0].length : 0;
  container.replaceChildren();
  if (d > MAX || u > MAX || m > MAX) {
    container.append(s("svg", { viewBox: `0 0 ${W} 40`, class: "net" }, [
      s("text", { x: 10, y: 24, class: "nl" }, t("net.too_big", { max: MAX }))]));
    return;
  }
  const H = m ? 330 : 250, yY = 40, yH = m ? 165 : 85, yX = H - 50;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "net", role: "img",
    "aria-label": t("net.label", { t: i + 1 }) });
  const all = [...st.x, ...st.h_prev, ...st.h, ...(st.output || [])].map(Math.abs);
  const maxAbs = Math.max(1e-9, ...all);
  const xs = spread(d, 30, 190), ms = spread(u, 250, 400), hs = spread(u, 110, 350), ys = spread(m, 130, 330);
  const edges = s("g", { class: "edges" });
  for (const hx of hs) {
    for (const x of xs) edges.append(s("line", { x1: x, y1: yX - 21, x2: hx, y2: yH + 21, class: "e-w" }));
    for (const x of ms) edges.append(s("line", { x1: x, y1: yX - 16, x2: hx, y2: yH + 21, class: "e-u" }));
    for (const y of ys) edges.append(s("line", { x1: hx, y1: yH - 21, x2: y, y2: yY + 21, class: "e-v" }));
  }
  // store: hidden j -> memory j (dashed), the copy used at the next step
  hs.forEach((hx, j) => {
    edges.append(s("path", { d: `M ${hx + 21} ${yH} C ${ms[j] + 60} ${yH}, ${ms[j] + 50} ${yX - 40}, ${ms[j] + 22} ${yX - 8}`,
      class: "e-store", "marker-end": "url(#arrow)" }));
  });
  svg.append(s("defs", {}, [s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" },
    [s("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead" })])]), edges);
  const g = s("g");
  st.x.forEach((v, k) => node(g, xs[k], yX, v, maxAbs, `x${sub(k + 1)}`, "nx", "rect"));
  st.h_prev.forEach((v, k) => node(g, ms[k], yX, v, maxAbs, t("net.memory", { k: k + 1 }), "nm", "rect"));
  st.h.forEach((v, k) => node(g, hs[k], yH, v, maxAbs, `h${sub(i + 1)}${u > 1 ? `[${k + 1}]` : ""}`, "nh"));
  (st.output || []).forEach((v, k) => node(g, ys[k], yY, v, maxAbs, `y${sub(i + 1)}${m > 1 ? `[${k + 1}]` : ""}`, "ny"));
  svg.append(g);
  container.append(svg);
}
