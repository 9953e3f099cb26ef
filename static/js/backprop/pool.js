// /backprop, pooling: each dL/dy goes back into its forward window (max: all of it to the first maximum; average:
// an equal share to each real cell), added to the running totals of dL/dx. A scene for stage.js (BackpropStage).
import { fmt, t } from "../lib/i18n.js";
import { maxAbsOf } from "../lib/matrix.js";
import { StampFill } from "../trace/stage.js";
import { name, nulls, square } from "./cells.js";

export function poolScene(S, data, req) {
  const max = req.op === "max";
  S.layout("pool", { "f-x": "bp.cap_x_pool", "f-y": max ? "bp.cap_y_max" : "bp.cap_y_average", "b-dy": "bp.cap_dy",
    "b-out": "bp.cap_dx_pool" }, "b-dy", ["bp.pane_forward", "bp.pane_backward"]);
  const p = data.padding, x = req.input, dx = data.grad_input;
  const hp = x.length + p.top + p.bottom, wp = x[0].length + p.left + p.right; // the forward window's grid
  const inside = (r, c) => r >= p.top && r < p.top + x.length && c >= p.left && c < p.left + x[0].length;
  const padded = (m) => Array.from({ length: hp }, (_, r) => Array.from({ length: wp }, (_, c) => (inside(r, c) ? m[r - p.top][c - p.left] : null)));
  const isPad = (r, c) => !inside(r, c);
  S.draw("f-x", padded(x), { pad: isPad });
  S.draw("f-y", data.output);
  S.draw("b-dy", data.grad_output);
  const steps = data.steps, mx = maxAbsOf(dx);
  const totals = steps.flatMap((st) => [...st.inputs, ...st.totals]);
  S.draw("b-out", data.steps_truncated ? nulls(padded(dx)) : padded(dx), { pad: isPad, maxAbs: mx, also: totals });
  const win = steps[0]?.window ?? [[0, 0]];
  const shape = square(win, win);
  S.detail.setup([{ label: "bp.d_forward" }, { sign: "→" }, { label: "bp.d_local" }, { sign: "" }, { label: "bp.d_sent" }],
    shape.length, shape[0].length);
  const [fwd, local, sent] = S.detail.parts;
  const xMax = maxAbsOf(x);
  return {
    trace: (d) => d,
    index: "b-dy",
    detail: ["forward_inputs", "weights", "products"],
    step(st, i) {
      const [r, c] = st.index, w = st.window;
      S.grids["f-x"].mark("win", w);
      S.grids["f-y"].mark("hit", [[r, c]]);
      fwd.fill(square(st.forward_inputs, w), xMax, (a, b) => st.forward_inputs[a * shape[0].length + b] === null);
      fwd.mark("arg", []);
      local.fill(square(st.weights, w), 1, (a, b) => st.weights[a * shape[0].length + b] === null);
      S.detail.signs[1].textContent = `× ${fmt(st.value)} =`;
      if (st.argmax) {
        S.grids["f-x"].mark("arg", [st.argmax]);
        const m = w.findIndex(([a, b]) => a === st.argmax[0] && b === st.argmax[1]);
        fwd.mark("arg", [[Math.floor(m / shape[0].length), m % shape[0].length]]);
      }
      return S.stampStep(st, i, { out: "b-out", parts: { products: sent } });
    },
    facts(st) {
      const y = name("a", st.index[0], st.index[1]), v = fmt(st.value);
      if (st.argmax) return t("bp.fact_max", { y, v, x: name("x", st.argmax[0] - p.top, st.argmax[1] - p.left) });
      const share = st.products.find((q) => q !== null);
      return t("bp.fact_avg", { y, v, n: st.count, share: fmt(share) });
    },
    fill(trace) {
      const f = new StampFill();
      f.reset(trace.steps, (st, m) => [S.grids["b-out"], ...st.window[m]], mx);
      return f;
    },
    fillRest: () => S.draw("b-out", padded(dx), { pad: isPad, maxAbs: mx }),
  };
}
