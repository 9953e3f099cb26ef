// /backprop, the transposed convolution: scatter (each input cell stamps value × W onto the canvas, the stamps add up,
// the border is cropped) and gather (a stride-1 convolution of the zero-inserted, padded input with W turned by 180°).
// Scenes for stage.js (BackpropStage).
import { fmt, t } from "../lib/i18n.js";
import { maxAbsOf } from "../lib/matrix.js";
import { OutputFill, StampFill } from "../trace/stage.js";
import { cellKey, name, nulls } from "./cells.js";

export function scatterScene(S, data, req) {
  S.layout("transpose/scatter", { "f-x": "bp.cap_t_x", "f-w": "bp.cap_w", "b-out": "bp.cap_canvas", "b-res": "bp.cap_t_y" },
    "f-x", ["bp.pane_layer", "bp.pane_scatter"]);
  const tr = data.scatter, canvas = tr.canvas, crop = tr.crop, mx = maxAbsOf(canvas), out = data.output;
  const hc = canvas.length, wc = canvas[0].length;
  const cropped = (r, c) => r < crop.top || r >= hc - crop.bottom || c < crop.left || c >= wc - crop.right;
  S.draw("f-x", req.input);
  S.draw("f-w", req.kernel);
  const totals = tr.steps.flatMap((st) => [...st.inputs.flat(), ...st.totals.flat()]);
  S.draw("b-out", tr.steps_truncated ? nulls(canvas) : canvas, { maxAbs: mx, also: totals })
    .mark("crop", canvas.flatMap((row, r) => row.map((_, c) => [r, c])).filter(([r, c]) => cropped(r, c)));
  S.draw("b-res", nulls(out), { also: out.flat() });
  const kh = req.kernel.length, kw = req.kernel[0].length;
  S.detail.setup([{ label: "bp.d_kernel" }, { sign: "×" }, { label: "bp.d_stamp" }], kh, kw);
  const [wts, stamp] = S.detail.parts;
  const wMax = maxAbsOf(req.kernel);
  let shown = null; // whether the output is drawn: it appears once every stamp is down
  const output = (on) => {
    if (on !== shown) S.draw("b-res", on ? out : nulls(out), { also: out.flat() });
    shown = on;
  };
  return {
    trace: (d) => d.scatter,
    index: "f-x",
    detail: ["weights", "products"],
    step(st, i) {
      wts.fill(st.weights, wMax);
      S.detail.signs[0].textContent = `× ${fmt(st.value)} =`;
      return S.stampStep(st, i, { out: "b-out", parts: { products: stamp,
        now: (m) => S.grids["f-w"].mark("now", m === null ? [] : [[Math.floor(m / kw), m % kw]]) } });
    },
    facts: (st) => t("bp.fact_scatter", { x: name("x", st.index[0], st.index[1]), v: fmt(st.value) }),
    fill(trace) {
      const stamps = new StampFill();
      stamps.reset(trace.steps, (st, m) => [S.grids["b-out"], ...st.window[m]], mx);
      const n = trace.steps.length, whole = !trace.steps_truncated;
      shown = null;
      return {
        to(k) { stamps.to(k); output(whole && k >= n); },
        part(k, count) { stamps.part(k, count); output(false); },
      };
    },
    fillRest() {
      S.draw("b-out", canvas, { maxAbs: mx });
      output(true);
    },
  };
}

export function gatherScene(S, data, req) {
  S.layout("transpose/gather", { "f-x": "bp.cap_t_x", "f-w": "bp.cap_w", "b-src": "bp.cap_t_padded", "b-k": "bp.cap_w_flipped",
    "b-out": "bp.cap_t_y" }, "b-out", ["bp.pane_layer", "bp.pane_gather"]);
  const tr = data.gather, out = data.output, mx = maxAbsOf(out);
  const xAt = new Map(tr.input_cells.flatMap((row, i) => row.map((cell, j) => [cellKey(cell), [i, j]])));
  const inserted = (r, c) => !xAt.has(cellKey([r, c]));
  S.draw("f-x", req.input);
  S.draw("f-w", req.kernel);
  S.draw("b-src", tr.padded_input, { pad: inserted });
  S.draw("b-k", tr.kernel);
  S.draw("b-out", nulls(out), { also: out.flat(), maxAbs: mx });
  S.detail.setup([{ label: "bp.d_window" }, { sign: "×" }, { label: "bp.d_flipped" }, { sign: "=" }, { label: "bp.d_products" }],
    tr.kernel.length, tr.kernel[0].length);
  return {
    trace: (d) => d.gather,
    index: "b-out",
    detail: ["inputs", "weights", "products"],
    step(st) {
      S.grids["f-x"].mark("hit", st.window.filter((cell) => xAt.has(cellKey(cell))).map((cell) => xAt.get(cellKey(cell))));
      return S.convStep(st, { src: "b-src", weights: "b-k", srcPad: inserted, inputMax: maxAbsOf(tr.padded_input), weightMax: maxAbsOf(tr.kernel) });
    },
    facts: (st) => t("bp.fact_gather", { y: name("y", st.index[0], st.index[1]), v: fmt(st.value) }),
    fill(trace) {
      const f = new OutputFill();
      f.reset(trace.steps, (st) => [S.grids["b-out"], st.index[0], st.index[1]], mx);
      return f;
    },
    fillRest: () => S.draw("b-out", out, { maxAbs: mx }),
  };
}
