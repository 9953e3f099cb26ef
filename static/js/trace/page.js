// What /conv and /pool share around their own drawings: the session (the request is the page state),
// the player and the sub-steps inside a step, the formula building up from the API's `terms`, output
// cells that fill in step by step and jump to their step when clicked, the error box, the output-size
// rule, the Keras panel, the presets and the language switch. Each page draws its own stage.
import { announce, onLangChange, t } from "../lib/i18n.js";
import { showError } from "../lib/errors.js";
import { renderKeras } from "../lib/keras.js";
import { maxAbsOf } from "../lib/matrix.js";
import { keepNumbers } from "../lib/numfmt.js";
import { bindControls, Player, reducedMotion } from "../lib/player.js";
import { fillPresets, inLang } from "../lib/presets.js";
import { h } from "../lib/dom.js";
import { TraceSession } from "./session.js";
import { outputSizeText } from "./size.js";
import { OutputFill, SubSteps } from "./stage.js";

const $ = (id) => document.getElementById(id);

/**
 * page: {
 *   session: {endpoint, preset, fallback, check, urlKeys} (see TraceSession), interval: ms a step at 1×,
 *   renderForm(req): the editors and settings, from the request,
 *   build(data): the stage for a new answer; outputs(): its output GridViews (one per filter),
 *   step(st): show a step's fixed parts and return {n, draw(k), terms(k), done()} for its n sub-steps
 *     (terms(k): how many of the formula's `terms` are written once k sub-steps are shown),
 *   facts(st): the line under the formula; announce(st): what the live region says,
 *   size(req, data): {rows: {n, k, d, s}, cols: {...}, pads: {top, bottom, left, right} | null},
 *   relabel(data, i): texts the page builds itself, after a language switch; clear(): the stage emptied,
 *   random(req): new random numbers in the request,
 * }
 * Returns {session, player, edit(fn, options), jump(r, c, f)}.
 */
export function startTracePage(page) {
  const app = $("app");
  const player = new Player({ interval: page.interval, onStep: (i) => show(i) });
  bindControls($("player"), player);
  const sub = new SubSteps();
  const fill = new OutputFill();
  let data = null;
  let error = null;
  let last = null;         // the step shown before (the next one animates)
  let stepOf = new Map();  // "f,r,c" -> step

  const session = new TraceSession({
    ...page.session,
    busy: app,
    onResult(answer, step) {
      data = answer;
      error = null;
      stageError(null);
      page.build(data);
      stepOf = new Map(data.steps.map((st, k) => [key(st.index), k]));
      if (session.openCell) { // an example that opens at the slide's step (a₁₁ = 19)
        step = stepOf.get(key(session.openCell)) ?? step;
        session.openCell = null;
        if (session.presetId() === session.preset) session.defaultStep = step; // a link to it needs no step
      }
      fill.reset(data.steps, (st) => [page.outputs()[st.index[2] ?? 0], st.index[0], st.index[1]], maxAbsOf(data.output));
      last = null;
      truncated();
      player.setCount(data.steps.length, step);
      panels();
    },
    onError(err) {
      data = null;
      error = err;
      stageError(err);
      sub.cancel();
      $("formula").textContent = "";
      $("facts").textContent = "";
      page.clear();
      player.setCount(0);
      panels();
    },
  });
  const key = ([r, c, f = 0]) => `${f},${r},${c}`;

  function show(i) {
    sub.cancel();
    if (!data?.steps.length) return;
    const st = data.steps[i];
    const animate = last !== null && i === last + 1 && !reducedMotion();
    last = i;
    const [r, c, f = 0] = st.index;
    page.outputs().forEach((g, k) => g.mark("cur", k === f ? [[r, c]] : []));
    page.outputs()[f]?.setFocusCell(r, c);
    page.outputs()[f]?.reveal(r, c);
    fill.to(i);
    const { n, draw, terms, done } = page.step(st);
    const partial = (k) => {
      draw(k);
      const m = k >= n ? st.terms.length : terms(k);
      keepNumbers($("formula"), m >= st.terms.length ? st.formula : m > 0 ? st.terms.slice(0, m).join("") + " …" : "");
      $("facts").textContent = "";
    };
    sub.run(n, animate ? player.interval / player.speed : 0, partial, () => {
      done();
      keepNumbers($("formula"), st.formula);
      keepNumbers($("facts"), page.facts(st));
      fill.to(i + 1);
      if (data.steps_truncated && i === data.steps.length - 1) fillRest();
    });
    announce(page.announce(st));
    session.save(i);
  }

  /** A truncated trace stops early: the rest of the output comes from the answer's `output`. */
  function fillRest() {
    const out = data.output, mx = maxAbsOf(out), three = data.output_shape.length === 3;
    page.outputs().forEach((g, f) => {
      for (let r = 0; r < out.length; r++) for (let c = 0; c < out[0].length; c++) g.set(r, c, three ? out[r][c][f] : out[r][c], mx);
    });
  }

  function jump(r, c, f = 0) {
    const k = stepOf.get(key([r, c, f]));
    if (k === undefined) return;
    player.pause();
    last = null; // a jump shows the finished step at once
    player.seek(k);
  }

  function stageError(err) {
    showError($("error"), err);
    $("stage-grids").hidden = Boolean(err);
    app.classList.toggle("has-error", Boolean(err));
  }

  function truncated() {
    const box = $("truncated");
    box.hidden = !data?.steps_truncated;
    box.textContent = data?.steps_truncated ? t("conv.truncated", { n: data.steps.length, total: data.steps_total }) : "";
  }

  function panels() {
    const { rows, cols, pads } = page.size(session.req, data);
    const axis = (a, p, name) => outputSizeText({ axis: t(name), ...a, pTotal: p, o: data ? data.output_shape[name === "conv.axis_rows" ? 0 : 1] : null });
    $("size-rows").textContent = axis(rows, pads ? `${pads.top} + ${pads.bottom}` : null, "conv.axis_rows");
    $("size-cols").textContent = axis(cols, pads ? `${pads.left} + ${pads.right}` : null, "conv.axis_cols");
    $("size-pads").textContent = data ? t("conv.size_pads", data.padding) : t("conv.size_none");
    renderKeras($("keras"), data?.keras ?? null);
  }

  function form() {
    page.renderForm(session.req);
    $("preset").value = session.presetId();
    presetNote();
  }

  /** The loaded example's description (and the page's own note on it, page.presetNote(id)). */
  function presetNote() {
    const id = session.presetId(), ex = session.examples.find((e) => e.id === id);
    const box = $("preset-note");
    if (!box) return;
    const own = ex && page.presetNote ? page.presetNote(id) : null;
    box.replaceChildren(...(ex ? [h("span", {}, inLang(ex.description))] : []),
      ...(own ? [h("span", { class: "preset-own" }, own)] : []));
    box.hidden = !ex;
  }

  /** Change the request (fn(req)), redraw the form at once, compute after a pause. */
  function edit(fn, options) {
    session.edit(fn, options);
    form();
  }

  $("preset").addEventListener("change", () => {
    session.usePreset($("preset").value);
    form();
  });
  $("random").addEventListener("click", () => edit((req) => page.random(req), { restart: true }));

  onLangChange(() => {
    truncated();
    fillPresets($("preset"), session.examples, session.presetId());
    form();
    page.relabel(data, player.index);
    showError($("error"), error);
    if (data?.steps.length) $("facts").textContent = page.facts(data.steps[player.index]);
    panels();
    session.idle();
  });

  (async () => {
    await session.load();
    fillPresets($("preset"), session.examples, session.presetId());
    form();
    await session.compute();
  })();
  return { session, player, edit, jump };
}
