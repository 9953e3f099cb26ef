// What /conv, /pool and /backprop share around their own drawings: the session (the request is the page
// state), the player and the sub-steps inside a step, the formula building up from the API's `terms`, output
// cells that fill in step by step and jump to their step when clicked, the error box, the output-size
// rule, the Keras panel, the presets and the language switch. Each page draws its own stage.
import { announce, onLangChange, t } from "../lib/i18n.js";
import { showError } from "../lib/errors.js";
import { renderKeras } from "../lib/keras.js";
import { maxAbsOf } from "../lib/matrix.js";
import { keepNumbers } from "../lib/numfmt.js";
import { bindControls, Player } from "../lib/player.js";
import { fillPresets, inLang } from "../lib/presets.js";
import { h, reducedMotion } from "../lib/dom.js";
import { downloadButton } from "./download.js";
import { TraceSession } from "./session.js";
import { outputSizeText } from "./size.js";
import { OutputFill, SubSteps } from "./stage.js";

const $ = (id) => document.getElementById(id);

/**
 * page: {
 *   session: {endpoint, preset, fallback, check, urlKeys, ...} (see TraceSession), interval: ms a step at 1×,
 *   renderForm(req): the editors and settings, from the request,
 *   build(data, req): the stage for an answer (req: the state it answers); outputs(): the GridViews its steps' `index` points into (the
 *     output, one per filter), clicked to jump to a step,
 *   step(st, i): show step i's fixed parts and return {n, draw(k), terms(k), done()} for its n sub-steps
 *     (terms(k): how many of the formula's `terms` are written once k sub-steps are shown),
 *   facts(st): the line under the formula; announce(st): what the live region says,
 *   size(req, data) (optional): {rows: {n, k, d, s}, cols: {...}, pads: {top, bottom, left, right} | null},
 *   relabel(data, i): texts the page builds itself, after a language switch; clear(): the stage emptied,
 *   random(req): new random numbers in the request,
 * and, when an answer holds several traces or its steps fill something else than output cells:
 *   trace(data) (optional): the trace to play, {steps, steps_total, steps_truncated} (default: the answer),
 *   place(index) (optional): a step's index -> [row, col, k] of outputs()[k] (default: [i, j, f] as it is),
 *   fill(trace, data) (optional): what shows steps [0, n) done, {to(n)} (default: an OutputFill of outputs()),
 *   fillRest(data) (optional): the end of a truncated trace (default: the rest of the answer's `output`),
 * }
 * Returns {session, player, edit(fn, options), jump(r, c, f), redraw(step)}.
 */
export function startTracePage(page) {
  const app = $("app");
  const player = new Player({ interval: page.interval, onStep: (i) => show(i) });
  bindControls($("player"), player);
  const sub = new SubSteps();
  let fill = new OutputFill();
  let data = null;
  let error = null;
  let last = null;         // the step shown before (the next one animates)
  let stepOf = new Map();  // "r,c,k" (cell r, c of outputs()[k]) -> step

  const session = new TraceSession({
    ...page.session,
    busy: app,
    onResult(answer, step, req) {
      data = answer;
      error = null;
      stageError(null);
      page.build(data, req);
      ready(step);
    },
    onSame(step) {
      redraw(typeof step === "function" && data ? step(data) : step);
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
  downloadButton(session);
  const place = page.place || (([r, c, f = 0]) => [r, c, f]);
  const key = (index) => place(index).join(",");
  const trace = () => (page.trace ? page.trace(data) : data);

  /** The stage is built for `data`: steps, fill, player. */
  function ready(step) {
    const tr = trace();
    stepOf = new Map(tr.steps.map((st, k) => [key(st.index), k]));
    if (session.openCell) { // an example that opens at the slide's step (a₁₁ = 19)
      step = stepOf.get(key(session.openCell)) ?? step;
      session.openCell = null;
      if (session.presetId() === session.preset) session.defaultStep = step; // a link to it needs no step
    }
    if (page.fill) {
      fill = page.fill(tr, data);
    } else {
      fill = new OutputFill();
      fill.reset(tr.steps, (st) => { const [r, c, f] = place(st.index); return [page.outputs()[f], r, c]; }, maxAbsOf(data.output));
    }
    last = null;
    truncated();
    player.setCount(tr.steps.length, step);
    panels();
  }

  /** Draw the current answer again (e.g. another of its traces), at `step`. */
  function redraw(step = 0) {
    if (!data || typeof step !== "number") return;
    sub.cancel();
    page.build(data, session.req);
    ready(step);
  }

  function show(i) {
    sub.cancel();
    if (!trace()?.steps.length) return;
    const tr = trace();
    const st = tr.steps[i];
    const animate = last !== null && i === last + 1 && !reducedMotion();
    last = i;
    const [r, c, f] = place(st.index);
    page.outputs().forEach((g, k) => g.mark("cur", k === f ? [[r, c]] : []));
    page.outputs()[f]?.setFocusCell(r, c);
    page.outputs()[f]?.reveal(r, c);
    fill.to(i);
    const { n, draw, terms, done } = page.step(st, i);
    reserve(st);
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
      if (tr.steps_truncated && i === tr.steps.length - 1) fillRest();
    });
    announce(page.announce(st));
    session.save(i);
  }

  /**
   * The room of the step's whole formula and facts, kept while they build up: the formula sits above the grids,
   * and on a phone it wraps over several lines; without it the grids would jump down at every line it gains.
   */
  function reserve(st) {
    for (const [id, text] of [["formula", st.formula], ["facts", page.facts(st)]]) {
      const el = $(id);
      el.style.minHeight = "";
      keepNumbers(el, text);
      el.style.minHeight = `${el.offsetHeight}px`;
    }
  }
  // another width wraps the text otherwise: the next step measures again
  window.addEventListener("resize", () => { $("formula").style.minHeight = ""; $("facts").style.minHeight = ""; });

  /** A truncated trace stops early: the rest of the output comes from the answer's `output`. */
  function fillRest() {
    if (page.fillRest) { page.fillRest(data); return; }
    const out = data.output, mx = maxAbsOf(out), three = data.output_shape.length === 3;
    page.outputs().forEach((g, f) => {
      for (let r = 0; r < out.length; r++) for (let c = 0; c < out[0].length; c++) g.set(r, c, three ? out[r][c][f] : out[r][c], mx);
    });
  }

  function jump(r, c, f = 0) {
    const k = stepOf.get([r, c, f].join(",")); // the grid cell (r, c) of outputs()[f]
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
    const box = $("truncated"), tr = data && trace();
    box.hidden = !tr?.steps_truncated;
    box.textContent = tr?.steps_truncated ? t("conv.truncated", { n: tr.steps.length, total: tr.steps_total }) : "";
  }

  function panels() {
    if ($("keras")) renderKeras($("keras"), data?.keras ?? null);
    if (!page.size) return;
    const { rows, cols, pads } = page.size(session.req, data);
    const axis = (a, p, name) => outputSizeText({ axis: t(name), ...a, pTotal: p, o: data ? data.output_shape[name === "conv.axis_rows" ? 0 : 1] : null });
    $("size-rows").textContent = axis(rows, pads ? `${pads.top} + ${pads.bottom}` : null, "conv.axis_rows");
    $("size-cols").textContent = axis(cols, pads ? `${pads.left} + ${pads.right}` : null, "conv.axis_cols");
    $("size-pads").textContent = data ? t("conv.size_pads", data.padding) : t("conv.size_none");
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
    if (data && trace().steps.length) $("facts").textContent = page.facts(trace().steps[player.index]);
    panels();
    session.idle();
  });

  (async () => {
    await session.load();
    fillPresets($("preset"), session.examples, session.presetId());
    form();
    session.followHistory(form); // Back or Forward: the form, then the answer, of the URL's state
    await session.compute();
  })();
  return { session, player, edit, jump, redraw };
}
