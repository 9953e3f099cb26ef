// /backprop, convolution: dL/dx as the full convolution of the zero-inserted, padded dL/dy (dL/dz) with the
// filter turned by 180° (the cropped ring hatched), dL/dW (the padded input's cells each weight met × dL/dz) and
// dL/db, each beside the forward pass. A scene for stage.js (BackpropStage).
import { fmt, t } from "../lib/i18n.js";
import { maxAbsOf } from "../lib/matrix.js";
import { OutputFill } from "../trace/stage.js";
import { cellKey, name, nulls } from "./cells.js";

export function convScene(S, data, req) {
  const view = req.view, linear = req.activation === "linear";
  const dz = linear ? "b-dy" : "b-dz";
  const slots = { "f-x": "bp.cap_x_padded", "f-w": "bp.cap_w", "f-y": "bp.cap_y", "b-dy": "bp.cap_dy" };
  if (!linear) Object.assign(slots, { "b-act": "bp.cap_act", "b-dz": "bp.cap_dz" });
  if (view === "grad_input") {
    Object.assign(slots, { "b-src": linear ? "bp.cap_dy_full" : "bp.cap_dz_full", "b-k": "bp.cap_w_flipped",
      "b-out": "bp.cap_dx_full", "b-res": "bp.cap_dx" });
  } else {
    slots["b-out"] = view === "grad_kernel" ? "bp.cap_dw" : "bp.cap_db";
  }
  S.layout(`conv/${view}/${linear}`, slots, "b-out", ["bp.pane_forward", "bp.pane_backward"]);
  const p = data.padding, xp = data.padded_input, hp = xp.length, wp = xp[0].length;
  const isPad = (r, c) => r < p.top || r >= hp - p.bottom || c < p.left || c >= wp - p.right;
  const xMax = maxAbsOf(xp), dzMax = maxAbsOf(data.grad_pre_activation);
  S.draw("f-x", xp, { pad: isPad });
  S.draw("f-w", req.kernel);
  S.draw("f-y", data.output);
  S.draw("b-dy", data.grad_output);
  if (!linear) {
    S.draw("b-act", data.activation_grad);
    S.draw("b-dz", data.grad_pre_activation);
  }
  const dzLabel = linear ? "bp.d_dy" : "bp.d_dz";
  const base = { trace: (d) => d[`${view}_trace`], index: "b-out" };

  if (view === "grad_input") {
    const tr = data.grad_input_trace, full = tr.full, mx = maxAbsOf(full);
    const dyAt = new Map(tr.grad_output_cells.flatMap((row, i) => row.map((cell, j) => [cellKey(cell), [i, j]])));
    const inserted = (r, c) => !dyAt.has(cellKey([r, c]));
    S.draw("b-src", tr.padded_grad_output, { pad: inserted });
    S.draw("b-k", tr.kernel);
    S.draw("b-out", nulls(full), { also: full.flat(), maxAbs: mx }).mark("crop", full.flatMap((row, r) => row.map((_, c) => [r, c])).filter(([r, c]) => isPad(r, c)));
    S.draw("b-res", nulls(data.grad_input), { also: data.grad_input.flat(), maxAbs: mx });
    S.detail.setup([{ label: "bp.d_window" }, { sign: "×" }, { label: "bp.d_flipped" }, { sign: "=" }, { label: "bp.d_products" }],
      tr.kernel.length, tr.kernel[0].length);
    return {
      ...base,
      detail: ["inputs", "weights", "products"],
      step(st) {
        const [r, c] = st.index;
        S.grids["f-x"].mark("cur", [[r, c]]);
        const hits = st.window.filter((cell) => dyAt.has(cellKey(cell))).map((cell) => dyAt.get(cellKey(cell)));
        ["b-dy", "f-y", ...(linear ? [] : ["b-act", "b-dz"])].forEach((id) => S.grids[id].mark("hit", hits));
        return S.convStep(st, { src: "b-src", weights: "b-k", srcPad: inserted, inputMax: dzMax, weightMax: maxAbsOf(tr.kernel) });
      },
      facts(st) {
        const [r, c] = st.index, v = fmt(st.value);
        return isPad(r, c) ? t("bp.fact_dx_crop", { r, c, v }) : t("bp.fact_dx", { cell: name("x", r - p.top, c - p.left), v });
      },
      fill(trace) {
        const f = new OutputFill();
        f.reset(trace.steps, (st) => {
          const [r, c] = st.index, cells = [[S.grids["b-out"], r, c]];
          if (!isPad(r, c)) cells.push([S.grids["b-res"], r - p.top, c - p.left]);
          return cells;
        }, mx);
        return f;
      },
      fillRest() {
        S.draw("b-out", full, { maxAbs: mx });
        S.draw("b-res", data.grad_input, { maxAbs: mx });
      },
    };
  }

  if (view === "grad_kernel") {
    const dW = data.grad_kernel, mx = maxAbsOf(dW);
    S.draw("b-out", nulls(dW), { also: dW.flat(), maxAbs: mx });
    const [oh, ow] = data.output_shape;
    S.detail.setup([{ label: "bp.d_x_met" }, { sign: "×" }, { label: dzLabel }, { sign: "=" }, { label: "bp.d_products" }], oh, ow);
    return {
      ...base,
      detail: ["inputs", "weights", "products"],
      step(st) {
        S.grids[dz].mark("hit", st.window.map((_, m) => [Math.floor(m / ow), m % ow]));
        return S.convStep(st, { src: "f-x", weights: dz, srcPad: isPad, inputMax: xMax, weightMax: dzMax });
      },
      facts: (st) => t("bp.fact_dw", { a: st.index[0], b: st.index[1], v: fmt(st.value) }),
      fill(trace) {
        const f = new OutputFill();
        f.reset(trace.steps, (st) => [S.grids["b-out"], st.index[0], st.index[1]], mx);
        return f;
      },
      fillRest: () => S.draw("b-out", dW, { maxAbs: mx }),
    };
  }

  const db = [data.grad_bias], mx = maxAbsOf(db);
  S.draw("b-out", nulls(db), { also: db.flat(), maxAbs: mx });
  S.detail.setup([{ label: dzLabel }], ...data.output_shape.slice(0, 2));
  return {
    ...base,
    detail: ["inputs"],
    place: ([f]) => [0, f, 0],
    step: (st) => S.convStep(st, { src: dz, inputMax: dzMax }),
    facts: (st) => t("bp.fact_db", { v: fmt(st.value) }),
    fill(trace) {
      const f = new OutputFill();
      f.reset(trace.steps, (st) => [S.grids["b-out"], 0, st.index[0]], mx);
      return f;
    },
    fillRest: () => S.draw("b-out", db, { maxAbs: mx }),
  };
}
