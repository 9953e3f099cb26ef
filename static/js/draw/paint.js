// Drawing helpers for the draw page: grey and coloured maps on canvases, overlays, API arrays.
import { sequential } from "../lib/colors.js";

/** A 256-entry [r, g, b] lookup table built once from a colour function of v in 0..1. */
function lookup(fn) {
  const table = new Uint8ClampedArray(256 * 3);
  for (let k = 0; k < 256; k++) {
    const [r, g, b] = fn(k / 255).match(/\d+/g).map(Number);
    table.set([r, g, b], k * 3);
  }
  return table;
}

const LUTS = { seq: null, grey: null };
const lut = (name) => {
  if (!LUTS[name]) LUTS[name] = name === "seq" ? lookup(sequential) : lookup((v) => `rgb(${Math.round(v * 255)},${Math.round(v * 255)},${Math.round(v * 255)})`);
  return LUTS[name];
};

/**
 * Paint an h×w map: get(i, j) -> value, shown on `palette` ("grey": MNIST's white on black, "seq": the
 * sequential scale of colors.js) with value / max clipped to 0..1. One canvas pixel per cell;
 * CSS scales it up with image-rendering: pixelated.
 */
export function paintMap(canvas, h, w, get, { max = 1, palette = "grey" } = {}) {
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(w, h);
  const table = lut(palette);
  const scale = max > 0 ? 255 / max : 0;
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const k = Math.max(0, Math.min(255, Math.round(get(i, j) * scale))) * 3;
      const o = (i * w + j) * 4;
      img.data[o] = table[k]; img.data[o + 1] = table[k + 1]; img.data[o + 2] = table[k + 2]; img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

/** A nested list (h, w) as a map. */
export function paintGrid(canvas, rows, opts) {
  paintMap(canvas, rows.length, rows[0].length, (i, j) => rows[i][j], opts);
}

/** base64 of little-endian float32 (the API's activations_format "float32") -> Float32Array. */
export function decodeFloat32(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let k = 0; k < bin.length; k++) bytes[k] = bin.charCodeAt(k);
  return new Float32Array(bytes.buffer);
}

/** One activation as {name, kind, shape, at(i, j, c), max}, whichever format the API used. */
export function activation(a) {
  const [h, w, c] = a.shape.length === 3 ? a.shape : [1, a.shape[0], 1];
  let at;
  if (a.data !== undefined) {
    const flat = decodeFloat32(a.data);
    at = (i, j, k) => flat[(i * w + j) * c + k];
  } else if (a.shape.length === 3) {
    at = (i, j, k) => a.values[i][j][k];
  } else {
    at = (i, j) => a.values[j];
  }
  let max = 0;
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let k = 0; k < c; k++) max = Math.max(max, at(i, j, k));
  return { name: a.name, kind: a.kind, shape: [h, w, c], at, max };
}

/** A box over a scaled-up canvas, positioned in the canvas's own cell units (percentages). */
export function overlay(parent, cls, { top, left, height, width }, rows, cols) {
  const el = document.createElement("div");
  el.className = cls;
  el.style.top = `${(top / rows) * 100}%`;
  el.style.left = `${(left / cols) * 100}%`;
  el.style.height = `${(height / rows) * 100}%`;
  el.style.width = `${(width / cols) * 100}%`;
  parent.appendChild(el);
  return el;
}

/** A "+" marker at a fractional (row, col) in cell units, at the cell centre. */
export function marker(parent, cls, row, col, rows, cols) {
  const el = document.createElement("div");
  el.className = cls;
  el.style.top = `${((row + 0.5) / rows) * 100}%`;
  el.style.left = `${((col + 0.5) / cols) * 100}%`;
  parent.appendChild(el);
  return el;
}

/** A percentage with one decimal; a softmax output is never exactly 0 or 1, so the ends say so. */
export function percent(p) {
  const v = p * 100;
  if (v >= 99.95) return ">99.9%";
  if (v < 0.05) return "<0.1%";
  return `${v.toFixed(1)}%`;
}
