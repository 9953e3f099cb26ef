// The input and output pictures side by side: the selected output pixel outlined on the output, its window
// outlined on the input (at the API's place and scale), picking a pixel with the pointer, a tap or the keys.
// Boxes are placed in percent of the picture, so they follow the picture's size on any screen.
import { t } from "../lib/i18n.js";

const $ = (id) => document.getElementById(id);

/** Place `box` over rows [r0, r1) and columns [c0, c1) of a picture of h × w pixels. */
function place(box, [r0, c0, r1, c1], h, w) {
  box.hidden = false;
  Object.assign(box.style, { top: `${(r0 / h) * 100}%`, left: `${(c0 / w) * 100}%`,
    height: `${((r1 - r0) / h) * 100}%`, width: `${((c1 - c0) / w) * 100}%` });
  Object.assign(box.dataset, { top: r0, left: c0, bottom: r1, right: c1 });
}

/** The rows and columns a step's window covers, in picture pixels: [top, left, bottom, right). */
export function windowBox(step, padding) {
  const rows = step.window.map((p) => p[0]), cols = step.window.map((p) => p[1]);
  return [Math.min(...rows) - padding.top, Math.min(...cols) - padding.left,
    Math.max(...rows) - padding.top + 1, Math.max(...cols) - padding.left + 1];
}

export class PictureView {
  /** onSelect([i, j], {now}): a new output pixel was picked (now: by a click, a tap or a key). */
  constructor({ onSelect }) {
    this.onSelect = onSelect;
    this.figs = $("pic-figs");
    this.inImg = $("pic-in");
    this.outImg = $("pic-out");
    this.inFrame = $("pic-in-frame");
    this.outFrame = $("pic-out-frame");
    this.win = $("pic-window");
    this.px = $("pic-px");
    this.picture = null;
    this.answer = null;
    this.at = null;
    this.outShape = null;
    const pick = (e, now) => {
      const at = this.pixelAt(e);
      if (at && (now || !this.at || at[0] !== this.at[0] || at[1] !== this.at[1])) this.choose(at, now);
    };
    this.outFrame.addEventListener("pointermove", (e) => { if (e.pointerType === "mouse") pick(e, false); });
    this.outFrame.addEventListener("click", (e) => pick(e, true));
    this.outFrame.addEventListener("keydown", (e) => this.key(e));
    // upscaled pictures keep their pixels square and sharp; downscaled ones are smoothed
    new ResizeObserver(() => this.sharpness()).observe(this.figs);
    for (const img of [this.inImg, this.outImg]) img.addEventListener("load", () => this.sharpness());
  }

  sharpness() {
    for (const img of [this.inImg, this.outImg]) img.classList.toggle("pixelated", img.clientWidth >= img.naturalWidth);
  }

  /** The picture the API computes on (a PNG data URL) and its shape. */
  showPicture(picture) {
    this.picture = picture;
    this.figs.hidden = false;
    this.inImg.src = picture.png;
    const [h, w, c] = picture.shape;
    $("pic-in-cap").textContent = t(c ? "pic.cap_rgb" : "pic.cap_gray", { w, h });
    this.win.hidden = true;
  }

  showResult(answer) {
    this.answer = answer;
    const [oh, ow] = answer.output_shape;
    this.outShape = [oh, ow];
    if (this.outImg.getAttribute("src") !== answer.output_png) this.outImg.src = answer.output_png;
    $("pic-out-cap").textContent = t("pic.cap_out", { w: ow, h: oh });
    if (answer.step) {
      const [i, j] = answer.step.index;
      this.at = [i, j];
      this.mark([i, j], windowBox(answer.step, answer.padding));
    } else {
      this.win.hidden = true;
      this.px.hidden = true;
    }
    this.label();
  }

  clear() {
    this.answer = null;
    this.outImg.removeAttribute("src");
    this.win.hidden = true;
    this.px.hidden = true;
  }

  /** Outline output pixel at and, when known, its window on the input. */
  mark([i, j], box) {
    const [oh, ow] = this.outShape;
    place(this.px, [i, j, i + 1, j + 1], oh, ow);
    if (box && this.picture) place(this.win, box, this.picture.shape[0], this.picture.shape[1]);
  }

  /** A pixel picked before its step is back: the window's place from the last answer's padding and strides. */
  choose(at, now) {
    this.at = at;
    const a = this.answer;
    if (a && a.step) {
      const [kh, kw] = [a.step.weights.length, a.step.weights[0].length];
      const [sh, sw] = a.strides, top = at[0] * sh - a.padding.top, left = at[1] * sw - a.padding.left;
      this.mark(at, [top, left, top + kh, left + kw]);
    }
    this.label();
    this.onSelect(at, { now });
  }

  pixelAt(e) {
    if (!this.outShape) return null;
    const r = this.outImg.getBoundingClientRect();
    if (!r.width || !r.height) return null;
    const [oh, ow] = this.outShape;
    const i = Math.floor(((e.clientY - r.top) / r.height) * oh), j = Math.floor(((e.clientX - r.left) / r.width) * ow);
    return i >= 0 && j >= 0 && i < oh && j < ow ? [i, j] : null;
  }

  key(e) {
    if (!this.outShape || e.altKey || e.ctrlKey || e.metaKey) return;
    const n = e.shiftKey ? 10 : 1;
    const d = { ArrowUp: [-n, 0], ArrowDown: [n, 0], ArrowLeft: [0, -n], ArrowRight: [0, n] }[e.key];
    if (!d) return;
    e.preventDefault();
    e.stopPropagation(); // the numbers mode's player listens for arrows on the document
    const [oh, ow] = this.outShape, [i, j] = this.at ?? [0, 0];
    const at = [Math.max(0, Math.min(oh - 1, i + d[0])), Math.max(0, Math.min(ow - 1, j + d[1]))];
    if (at[0] !== i || at[1] !== j) this.choose(at, true);
  }

  label() {
    if (!this.outShape) return;
    const [oh, ow] = this.outShape, [i, j] = this.at ?? [0, 0];
    this.outFrame.setAttribute("aria-label", t("pic.output_label", { w: ow, h: oh, i, j }));
  }
}
