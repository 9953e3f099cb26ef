// The "Your picture" request and its calls to POST /api/image/filter (and /filter/upload). Two calls:
//  - the picture, once per picture, size and colour choice: the identity preset shown as grey levels is the
//    picture the API computes on, byte for byte (0 → 0, 1 → 255), as a PNG. It is the input drawn on the page,
//    and for an upload or a webcam frame it is what later calls send as `image`, so a large file crosses the
//    network once and every formula is computed on exactly the picture shown.
//  - the filter: the kernel or preset, padding, stride and `at` (the selected output pixel, whose step comes back).
// A newer change cancels the older call (lib/api.js latest); answers for an older picture are dropped.
import { latest, postForm } from "../lib/api.js";
import { readState, writeState } from "../lib/url.js";

export const PHOTOS = ["astronaut", "camera", "chelsea", "rocket"]; // static/img/photos (LICENSES.md)
const PRESET_SIDE = 3; // every preset is 3×3 (app/engine/image_filter.py PRESETS)
const HOVER_MS = 60;   // a pointer that keeps moving asks once it pauses this long
// URL names (prefixed where /conv's numbers mode already uses the plain name: kernel, padding, strides)
const DEFAULTS = { photo: "astronaut", filter: "sobel_x", fkernel: null, side: 128, color: "gray", fpad: "same",
  fstride: 1, px: null };

/** Output size along one axis, Keras' rule: 'same' ⌈n / s⌉, 'valid' ⌊(n − k) / s⌋ + 1 (0: no output). */
export const outSize = (n, k, s, padding) => (padding === "same" ? Math.ceil(n / s) : n >= k ? Math.floor((n - k) / s) + 1 : 0);

export class FilterSession {
  /** busy: the element carrying aria-busy while a call is on its way; onPicture(picture), onResult(answer),
   * onError(error, stage: "picture" | "filter"). */
  constructor({ busy, onPicture, onResult, onError }) {
    Object.assign(this, { busy, onPicture, onResult, onError });
    this.opts = { preset: "sobel_x", kernel: null, side: 128, channels: "gray", padding: "same", stride: 1, at: null };
    this.source = null;   // {kind: "photo", name} | {kind: "file", file, name} | {kind: "webcam", dataUrl, time}
    this.picture = null;  // {png, shape: [h, w] | [h, w, 3]}: the picture the API uses for this source, side, colours
    this.answer = null;   // the last filter answer
    this.postPicture = latest();
    this.postFilter = latest();
    this.formController = null;
    this.gen = 0;         // bumped by every new picture: older answers are dropped
    this.pending = 0;
    this.timer = null;
  }

  /** The options and the bundled photo from the URL (a photo name that is not bundled is ignored). */
  load() {
    const s = readState(DEFAULTS);
    const pair = (v, lo, hi, d) => (Number.isInteger(v) && v >= lo && v <= hi ? v : d);
    const custom = s.filter === "custom" && Array.isArray(s.fkernel) && s.fkernel.length && s.fkernel.every(
      (r) => Array.isArray(r) && r.length === s.fkernel[0].length && r.every(Number.isFinite));
    Object.assign(this.opts, {
      preset: custom ? null : (typeof s.filter === "string" && s.filter !== "custom" ? s.filter : DEFAULTS.filter),
      kernel: custom ? s.fkernel : null,
      side: pair(Number(s.side), 1, 512, DEFAULTS.side),
      channels: s.color === "rgb" ? "rgb" : "gray",
      padding: s.fpad === "valid" ? "valid" : "same",
      stride: pair(Number(s.fstride), 1, 8, 1),
      at: Array.isArray(s.px) && s.px.length === 2 && s.px.every(Number.isInteger) ? s.px : null,
    });
    return PHOTOS.includes(s.photo) ? s.photo : DEFAULTS.photo;
  }

  save() {
    const o = this.opts;
    const state = { filter: o.preset ?? "custom", fkernel: o.preset ? null : o.kernel, side: o.side, color: o.channels,
      fpad: o.padding, fstride: o.stride, px: o.at };
    if (this.source?.kind === "photo") state.photo = this.source.name;
    writeState(state, DEFAULTS);
  }

  /** The kernel's [rows, cols] as the next call will use it. */
  kernelShape() {
    const k = this.opts.kernel;
    return this.opts.preset ? [PRESET_SIDE, PRESET_SIDE] : [k.length, k[0].length];
  }

  /** The output's [rows, cols] for the current picture and options (null before a picture). */
  outputShape() {
    if (!this.picture) return null;
    const [h, w] = this.picture.shape, [kh, kw] = this.kernelShape(), { stride: s, padding } = this.opts;
    return [outSize(h, kh, s, padding), outSize(w, kw, s, padding)];
  }

  /** `at` kept inside the output (the centre pixel when none is chosen yet). */
  clampAt() {
    const shape = this.outputShape();
    if (!shape || shape[0] < 1 || shape[1] < 1) return null;
    const [oh, ow] = shape, at = this.opts.at ?? [Math.floor((oh - 1) / 2), Math.floor((ow - 1) / 2)];
    return [Math.max(0, Math.min(oh - 1, at[0])), Math.max(0, Math.min(ow - 1, at[1]))];
  }

  /** A new picture; keep: the selected pixel stays (the first picture of a link that names one). */
  setSource(source, { keep = false } = {}) {
    this.source = source;
    this.picture = null;
    if (!keep) this.opts.at = null;
    this.run();
  }

  /** Change options; a new size or colour choice needs the picture again. */
  set(changes) {
    const again = ("side" in changes && changes.side !== this.opts.side) || ("channels" in changes && changes.channels !== this.opts.channels);
    Object.assign(this.opts, changes);
    if (again) { this.picture = null; this.opts.at = null; }
    this.run();
  }

  /** A new selected output pixel: its step is asked for once the pointer pauses (at once with now). */
  select(at, { now = false } = {}) {
    this.opts.at = at;
    this.save();
    if (this.timer) clearTimeout(this.timer); // (its mark stays for this one)
    else this.mark(1);
    this.timer = setTimeout(() => { this.timer = null; this.mark(-1); this.run(); }, now ? 0 : HOVER_MS);
  }

  mark(delta) {
    this.pending += delta;
    if (this.pending > 0) this.busy.setAttribute("aria-busy", "true");
    else this.busy.removeAttribute("aria-busy");
  }

  /** The picture (when it is not known yet), then the filter. */
  async run() {
    if (!this.source) return;
    this.save();
    this.mark(1);
    try {
      if (!this.picture) {
        const gen = ++this.gen;
        const res = await this.fetchPicture();
        if (res.aborted || gen !== this.gen) return;
        if (!res.ok) { this.answer = null; this.onError(res.error, "picture"); return; }
        this.picture = { png: res.data.output_png, shape: res.data.input_shape };
        this.onPicture(this.picture);
      }
      await this.filter();
    } finally {
      this.mark(-1);
    }
  }

  async filter() {
    const gen = this.gen, at = this.clampAt();
    this.opts.at = at;
    const o = this.opts;
    const body = { ...this.sourceField(), max_side: o.side, channels: o.channels, padding: o.padding, strides: o.stride,
      ...(o.preset ? { preset: o.preset } : { kernel: o.kernel }), ...(at ? { at } : {}) };
    const res = await this.postFilter("/api/image/filter", body);
    // a pixel chosen since (its call waits for the timer) makes this answer stale: it must not move the selection back
    if (res.aborted || gen !== this.gen || this.timer) return;
    if (!res.ok) { this.answer = null; this.onError(res.error, "filter"); return; }
    this.answer = res.data;
    this.save();
    this.onResult(res.data);
  }

  /** What a filter call sends for the picture: a bundled photo by name, anything else as the picture used. */
  sourceField() {
    return this.source.kind === "photo" ? { photo: this.source.name } : { image: this.picture.png };
  }

  fetchPicture() {
    const o = this.opts, s = this.source;
    const asked = { preset: "identity", display: "gray", max_side: o.side, channels: o.channels };
    if (s.kind === "photo") return this.postPicture("/api/image/filter", { photo: s.name, ...asked });
    if (s.kind === "webcam") return this.postPicture("/api/image/filter", { image: s.dataUrl, ...asked });
    const form = new FormData();
    form.append("file", s.file, s.name);
    for (const [k, v] of Object.entries(asked)) form.append(k, String(v));
    this.formController?.abort();
    this.formController = new AbortController();
    return postForm("/api/image/filter/upload", form, { signal: this.formController.signal });
  }

  /** Nothing more to ask (the mode is left): pending calls are dropped. */
  stop() {
    clearTimeout(this.timer);
    if (this.timer) { this.timer = null; this.mark(-1); }
    this.gen += 1;
  }
}
