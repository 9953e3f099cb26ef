// The request, its URL state and the calls to the API for the window-trace pages (/conv and /pool), as
// rnn/session.js is for the recurrent ones: the request body is the page state. Presets load an
// example's request; every edit changes the request, which is posted again after a short pause (a newer
// edit cancels the older call); the view's step and the request live in the URL. A choice (an example, or an
// edit asked with `push`) gets a history entry of its own; Back and Forward show the URL's state again (restore).
import { latest } from "../lib/api.js";
import { clone } from "../lib/dom.js";
import { loadExamples } from "../lib/presets.js";
import { onUrlChange, readState, writeState } from "../lib/url.js";

const PAUSE_MS = 120; // edits within this time are posted together

export class TraceSession {
  /**
   * endpoint: "/api/conv2d" or "/api/pool", or endpoint(req) when the state picks it; preset: the default
   * example's id; fallback: the request when the examples cannot be read; check(req): the request made whole
   * (every field, in one order) and within the editors' caps, or an exception when it is not a request;
   * urlKeys: {field: name in the URL} where links use a shorter name; busy: the element that carries
   * aria-busy from an edit until its answer is drawn (tests and assistive technology wait on it);
   * onResult(data, step, req) (req: the state that was posted), onError(error), onSame(step): an edit that
   * asked for a step left the body as it was (the page shows that step of the answer it has).
   * A page whose state holds more than the body (e.g. which operation or which trace to show) also gives:
   * fields: every key the state may have (read from and cleared in the URL; default: the default request's);
   * examples(e): which of /api/examples it offers (default: those of `endpoint`); fromExample(e): the state
   * for an example (default: its request); toBody(req): what is posted (default: the request without nulls);
   * defaultsFor(req): the state a link to req leaves out (default: the default request), e.g. per operation.
   */
  constructor({ endpoint, preset, fallback, check, urlKeys = {}, openAt = {}, fields = null, examples = null,
    fromExample = (e) => e.request, toBody = null, defaultsFor = null, busy, onResult, onError, onSame = () => {} }) {
    // openAt: {example id: [row, col]}: the output cell an example opens at (the slide's step), unless the
    // URL names a step
    Object.assign(this, { endpoint, preset, fallback, check, urlKeys, openAt, fields, exampleFilter: examples,
      fromExample, toBody, defaultsFor, busy, onResult, onError, onSame });
    this.post = latest();
    this.examples = [];
    this.req = null;
    this.step = 0;        // the step on screen (saved in the URL)
    this.pending = 0;     // the step to show when the next answer arrives (null: keep the current one)
    this.asked = false;   // pending was asked for by an edit's `step` (shown even if the body did not change)
    this.drawn = null;    // the state (JSON) whose answer is on screen or on its way
    this.defaultStep = null; // the step the default example opens at (openAt), once its answer told it
    this.timer = null;
    this.lastBody = null;
    this.inflight = null; // the key of the request on its way
    this.push = false;    // the next URL written gets its own history entry (a choice, not an edit)
  }

  /** The examples, the default request, and the request and step from the URL. */
  async load() {
    this.examples = (await loadExamples()).filter(this.exampleFilter || ((e) => e.endpoint === this.endpoint));
    this.known = this.examples.flatMap((e) => {
      try { return [[e.id, this.key(this.check(clone(this.fromExample(e))))]]; } catch { return []; }
    });
    const base = this.examples.find((e) => e.id === this.preset) || this.examples[0];
    this.defaults = this.check(clone(base ? this.fromExample(base) : this.fallback));
    this.fromLocation();
  }

  /** The request and step of the URL on screen. */
  fromLocation() {
    let url = readState(this.toUrl(this.defaults, 0));
    if (this.defaultsFor) url = readState(this.toUrl(this.base(this.fromUrl(url)), 0)); // what the link leaves out
    try {
      this.req = this.check(this.fromUrl(url));
    } catch {
      this.req = clone(this.defaults);
    }
    this.pending = Math.max(0, Math.round(Number(url.step)) || 0);
    this.openCell = new URLSearchParams(location.search).has("step") ? null : this.openAt[this.presetId()] ?? null;
  }

  /**
   * After Back or Forward, restored() once the request and step of the URL are set again (the answer
   * follows as after an edit); call when load() is done.
   */
  followHistory(restored) {
    const names = new Set([...this.keys(), ...Object.keys(this.defaults)].map((k) => this.urlKeys[k] || k));
    onUrlChange([...names, "step"], () => {
      this.fromLocation();
      this.push = false;
      this.asked = true; // its step, even when the answer on screen is already that request's
      restored();
      this.schedule(0);
    });
  }

  /** The id of the example whose request this is, or "". */
  presetId() {
    const key = this.key(this.req);
    return this.known.find(([, req]) => req === key)?.[0] ?? "";
  }

  /** What identifies a request's answer: where it is posted and what. */
  key(req) {
    return `${this.endpointOf(req)} ${JSON.stringify(this.body(req))}`;
  }

  endpointOf(req = this.req) {
    return typeof this.endpoint === "function" ? this.endpoint(req) : this.endpoint;
  }

  usePreset(id) {
    const ex = this.examples.find((e) => e.id === id);
    if (!ex) return;
    this.req = this.check(clone(this.fromExample(ex)));
    this.pending = 0;
    this.openCell = this.openAt[id] ?? null;
    this.push = true;
    this.schedule();
  }

  /**
   * Change the request with fn(req); `restart` shows the first step of the new answer, `step` another one: a
   * number, or step(data) for a step that only the answer can tell; `push`: a choice (a layer, a view), which
   * Back undoes, not an edit of the numbers.
   */
  edit(fn, { restart = false, step = null, push = false } = {}) {
    fn(this.req);
    this.push ||= push;
    this.openCell = null;
    if (restart) this.pending = 0;
    if (step !== null) this.pending = step;
    this.asked ||= step !== null; // a step asked for is shown even when the body stays the same; a restart is not
    this.schedule();
  }

  schedule(delay = PAUSE_MS) {
    this.busy.setAttribute("aria-busy", "true");
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.compute(), delay);
  }

  /** What is posted: the request without its empty (null) fields. */
  body(req = this.req) {
    return this.toBody ? this.toBody(req) : Object.fromEntries(Object.entries(req).filter(([, v]) => v !== null));
  }

  async compute() {
    this.timer = null;
    const key = this.key(this.req);
    if (key === this.lastBody) { // nothing changed (e.g. a field left without a new value): keep the answer
      if (this.inflight === key) return; // it is on its way, and will show the pending step
      // the state changed beside the body (e.g. which trace to show), or a step was asked for: show it; a field
      // left or typed back to its value changes nothing, and the step on screen stays
      const state = JSON.stringify(this.req), changed = state !== this.drawn;
      const target = this.asked || changed ? this.pending ?? this.step : null;
      this.pending = null;
      this.asked = false;
      this.drawn = state;
      if (target !== null) this.onSame(target);
      else this.push = false; // nothing new to show: no entry
      this.idle();
      return;
    }
    this.lastBody = key;
    const req = clone(this.req);
    this.inflight = key;
    this.drawn = JSON.stringify(req);
    const res = await this.post(this.endpointOf(req), this.body(req));
    if (res.aborted) return;
    this.inflight = null;
    let target = this.pending ?? this.step;
    this.pending = null;
    this.asked = false;
    if (res.ok) {
      if (typeof target === "function") target = target(res.data);
      this.onResult(res.data, Math.max(0, target), req); // the player keeps the step within the trace
    } else {
      this.onError(res.error);
      this.save(0);
    }
    this.idle();
  }

  /** aria-busy off, unless another edit is already waiting. */
  idle() {
    if (!this.timer) this.busy.removeAttribute("aria-busy");
  }

  save(step) {
    this.step = step;
    // the default example at the step it opens at (openAt) is the bare page: no step in the link
    const base = this.base(this.req);
    const opening = JSON.stringify(this.req) === JSON.stringify(base) ? this.defaultStep ?? 0 : 0;
    writeState(this.toUrl(this.req, step), this.toUrl(base, opening), { push: this.push });
    this.push = false;
  }

  /** The state a link to req leaves out. */
  base(req) {
    return this.defaultsFor ? this.defaultsFor(req) : this.defaults;
  }

  /** Every key the state may have. */
  keys() {
    return this.fields || Object.keys(this.defaults);
  }

  toUrl(req, step) {
    const out = {};
    for (const k of new Set([...this.keys(), ...Object.keys(req)])) out[this.urlKeys[k] || k] = req[k];
    out.step = step;
    return out;
  }

  fromUrl(url) {
    const req = {};
    for (const k of this.keys()) req[k] = url[this.urlKeys[k] || k];
    return req;
  }
}
