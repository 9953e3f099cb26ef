// The drawing pad: pointer events (mouse, touch, pen) -> polylines in canvas units (0..size).
// The page sends these strokes to the server, which rasterises them; the pad only shows them.
import { limits } from "../lib/limits.js";

export const MAX_POINTS = limits.mnist.max_points; // the API's caps
const MAX_STROKES = limits.mnist.max_strokes;

export class Pad {
  constructor(canvas, { size = 280, onDraw = () => {}, onStrokeEnd = () => {}, onLimit = () => {} } = {}) {
    this.canvas = canvas;
    this.size = size;
    this.strokes = [];
    this.current = null;
    this.image = null; // an uploaded image shown instead of strokes
    this.onDraw = onDraw;
    this.onStrokeEnd = onStrokeEnd;
    this.onLimit = onLimit;
    const dpr = Math.min(3, window.devicePixelRatio || 1);
    canvas.width = Math.round(size * dpr);
    canvas.height = Math.round(size * dpr);
    this.ctx = canvas.getContext("2d");
    this.ctx.scale(dpr, dpr);
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) canvas.addEventListener(type, () => this.up());
    this.render();
  }

  get points() { return this.strokes.reduce((n, s) => n + s.length, 0); }

  point(e) {
    const r = this.canvas.getBoundingClientRect();
    const clamp = (v) => Math.max(0, Math.min(this.size, v));
    const x = clamp(((e.clientX - r.left) * this.size) / r.width);
    const y = clamp(((e.clientY - r.top) * this.size) / r.height);
    return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
  }

  down(e) {
    if (e.pointerType === "mouse" && e.button !== 0) return;
    e.preventDefault();
    if (this.points >= MAX_POINTS || this.strokes.length >= MAX_STROKES) { this.onLimit(); return; }
    this.canvas.setPointerCapture?.(e.pointerId);
    if (this.image) { this.image = null; }
    this.current = [this.point(e)];
    this.strokes.push(this.current);
    this.render();
    this.onDraw();
  }

  move(e) {
    if (!this.current) return;
    e.preventDefault();
    const events = e.getCoalescedEvents?.() || [e];
    let added = false;
    for (const ev of events.length ? events : [e]) {
      if (this.points >= MAX_POINTS) { this.onLimit(); break; }
      const p = this.point(ev);
      const last = this.current[this.current.length - 1];
      if (Math.hypot(p[0] - last[0], p[1] - last[1]) >= 1.5) { this.current.push(p); added = true; }
    }
    if (added) { this.render(); this.onDraw(); }
  }

  up() {
    if (!this.current) return;
    this.current = null;
    this.onStrokeEnd();
  }

  undo() { this.image = null; this.strokes.pop(); this.current = null; this.render(); }
  clear() { this.image = null; this.strokes = []; this.current = null; this.render(); }
  setStrokes(strokes) { this.image = null; this.strokes = strokes.map((s) => s.map((p) => [...p])); this.current = null; this.render(); }
  setImage(img) { this.strokes = []; this.current = null; this.image = img; this.render(); }

  /** The server's pen: 10% of the canvas, at most 18% of the drawing's longer side (app/mnist/preprocess.py). */
  lineWidth() {
    let w = 0.1 * this.size;
    const pts = this.strokes.flat();
    if (pts.length) {
      const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
      const extent = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
      if (extent > 0) w = Math.min(w, 0.18 * extent);
    }
    return Math.max(1, w);
  }

  render() {
    const { ctx, size } = this;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, size, size);
    if (this.image) {
      const { width, height } = this.image;
      const s = Math.min(size / width, size / height);
      ctx.drawImage(this.image, (size - width * s) / 2, (size - height * s) / 2, width * s, height * s);
      return;
    }
    ctx.strokeStyle = ctx.fillStyle = "#111";
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.lineWidth = this.lineWidth();
    for (const s of this.strokes) {
      if (s.length === 1) {
        ctx.beginPath();
        ctx.arc(s[0][0], s[0][1], ctx.lineWidth / 2, 0, 2 * Math.PI);
        ctx.fill();
        continue;
      }
      ctx.beginPath();
      ctx.moveTo(s[0][0], s[0][1]);
      for (const [x, y] of s.slice(1)) ctx.lineTo(x, y);
      ctx.stroke();
    }
  }
}
