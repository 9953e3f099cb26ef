// The request, its URL state and the calls to the API for the window-trace pages (/conv and /pool), as
// rnn/session.js is for the recurrent ones: the request body is the page state. Presets load an
// example's request; every edit changes the request, which is posted again after a short pause (a newer
// edit cancels the older call); the view's step and the request live in the URL.
import { latest } from "../lib/api.js";
import { clone } from "../lib/dom.js";
import { loadExamples } from "../lib/presets.js";
import { readState, writeState } from "../lib/url.js";

const PAUSE_MS = 120; // edits within this time are posted together

export class TraceSession {
  /**
   * endpoint: "/api/conv2d" or "/api/pool"; preset: the default example's id; fallback: the request
   * when the examples cannot be read; check(req): the request made whole (every field, in one order) and
   * within the editors' caps, or an exception when it is not a request; urlKeys: {field: name in the
   * URL} where links use a shorter name; busy: the element that carries aria-busy from an edit until its
   * answer is drawn (tests and assistive technology wait on it); onResult(data, step), onError(error).
   */
  constructor({ endpoint, preset, fallback, check, urlKeys = {}, openAt = {}, busy, onResult, onError }) {
    // openAt: {example id: [row, col]}: the output cell an example opens at (the slide's step), unless the
    // URL names a step
    Object.assign(this, { endpoint, preset, fallback, check, urlKeys, openAt, busy, onResult, onError });
    this.post = latest();
    this.examples = [];
    this.req = null;
    this.step = 0;        // the step on screen (saved in the URL)
    this.pending = 0;     // the step to show when the next answer arrives (null: keep the current one)
    this.defaultStep = null; // the step the default example opens at (openAt), once its answer told it
    this.timer = null;
    this.lastBody = null;
  }

  /** The examples, the default request, and the request and step from the URL. */
  async load() {
    this.examples = (await loadExamples()).filter((e) => e.endpoint === this.endpoint);
    this.known = this.examples.flatMap((e) => {
      try { return [[e.id, JSON.stringify(this.check(clone(e.request)))]]; } catch { return []; }
    });
    const base = this.examples.find((e) => e.id === this.preset) || this.examples[0];
    this.defaults = this.check(clone(base ? base.request : this.fallback));
    const url = readState(this.toUrl(this.defaults, 0));
    try {
      this.req = this.check(this.fromUrl(url));
    } catch {
      this.req = clone(this.defaults);
    }
    this.pending = Math.max(0, Math.round(Number(url.step)) || 0);
    this.openCell = new URLSearchParams(location.search).has("step") ? null : this.openAt[this.presetId()] ?? null;
  }

  /** The id of the example whose request this is, or "". */
  presetId() {
    const body = JSON.stringify(this.req);
    return this.known.find(([, req]) => req === body)?.[0] ?? "";
  }

  usePreset(id) {
    const ex = this.examples.find((e) => e.id === id);
    if (!ex) return;
    this.req = this.check(clone(ex.request));
    this.pending = 0;
    this.openCell = this.openAt[id] ?? null;
    this.schedule();
  }

  /** Change the request with fn(req); `restart` shows the first step of the new answer. */
  edit(fn, { restart = false } = {}) {
    fn(this.req);
    this.openCell = null;
    if (restart) this.pending = 0;
    this.schedule();
  }

  schedule(delay = PAUSE_MS) {
    this.busy.setAttribute("aria-busy", "true");
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.compute(), delay);
  }

  /** What is posted: the request without its empty (null) fields. */
  body() {
    return Object.fromEntries(Object.entries(this.req).filter(([, v]) => v !== null));
  }

  async compute() {
    this.timer = null;
    const body = JSON.stringify(this.body());
    if (body === this.lastBody) { // nothing changed (e.g. a field left without a new value): keep the view
      this.pending = null;
      this.idle();
      return;
    }
    this.lastBody = body;
    const res = await this.post(this.endpoint, JSON.parse(body));
    if (res.aborted) return;
    const target = this.pending ?? this.step;
    this.pending = null;
    if (res.ok) {
      this.onResult(res.data, Math.max(0, Math.min(target, res.data.steps.length - 1)));
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
    const opening = JSON.stringify(this.req) === JSON.stringify(this.defaults) ? this.defaultStep ?? 0 : 0;
    writeState(this.toUrl(this.req, step), this.toUrl(this.defaults, opening));
  }

  toUrl(req, step) {
    const out = {};
    for (const [k, v] of Object.entries(req)) out[this.urlKeys[k] || k] = v;
    out.step = step;
    return out;
  }

  fromUrl(url) {
    const req = {};
    for (const k of Object.keys(this.defaults)) req[k] = url[this.urlKeys[k] || k];
    return req;
  }
}
