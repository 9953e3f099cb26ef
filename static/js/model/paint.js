// Colours for the /model page's maps: a sequential scale (white to blue) for layers whose values are all ≥ 0,
// the diverging palette of lib/colors.js (blue - white - orange) when some are negative. One canvas pixel per
// value; CSS scales it up (image-rendering: pixelated).
import { PALETTE } from "../lib/colors.js";

const WHITE = [255, 255, 255], DARK = [8, 48, 107];
const mix = (a, b, t) => a.map((v, i) => Math.round(v + (b[i] - v) * t));

/** The colour scale of a layer from its min and max (the API's). */
export function scaleFor(min, max) {
  if (min >= 0) return { signed: false, max: max > 0 ? max : 1 };
  return { signed: true, max: Math.max(Math.abs(min), Math.abs(max)) || 1 };
}

export function rgb(v, scale) {
  const t = Math.min(1, Math.abs(v) / scale.max);
  if (!scale.signed) return mix(WHITE, DARK, v > 0 ? t : 0);
  return mix(PALETTE.zero, v < 0 ? PALETTE.negative : PALETTE.positive, t);
}

export const css = (v, scale) => `rgb(${rgb(v, scale).join(",")})`;

/** Paint an h×w grid: get(i, j) -> a number, or undefined for a blank cell. */
export function paintCells(canvas, h, w, get, scale) {
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const v = get(i, j);
      const [r, g, b] = v === undefined || v === null ? [235, 233, 228] : rgb(v, scale);
      const o = (i * w + j) * 4;
      img.data[o] = r; img.data[o + 1] = g; img.data[o + 2] = b; img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}
