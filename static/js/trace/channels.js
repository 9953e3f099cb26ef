// The convolution page edits channels and filters as lists of matrices; the API speaks Keras'
// channels_last layout. These functions only move numbers between the two layouts.
import { limits } from "../lib/limits.js";
import { depth } from "../lib/matrix.js";

/** [C][H][W] -> (H, W) when C = 1, else (H, W, C). */
export function toApiInput(xs) {
  if (xs.length === 1) return xs[0];
  return xs[0].map((row, r) => row.map((_, c) => xs.map((x) => x[r][c])));
}

/** [F][C][kh][kw] -> (kh, kw) when C = F = 1, else Keras' (kh, kw, C, F). */
export function toApiKernel(ks) {
  if (ks.length === 1 && ks[0].length === 1) return ks[0][0];
  return ks[0][0].map((row, a) => row.map((_, b) => ks[0].map((_c, ch) => ks.map((k) => k[ch][a][b]))));
}

/** (H, W) or (H, W, C) -> [C][H][W], at most the API's channels. */
export function fromApiInput(a, maxC = limits.conv.max_c) {
  const d = depth(a);
  if (d === 2) return [a.map((r) => r.map(Number))];
  if (d !== 3) throw new Error("input rank");
  const c = Math.min(maxC, a[0][0].length);
  return Array.from({ length: c }, (_, ch) => a.map((row) => row.map((px) => Number(px[ch]))));
}

/** (kh, kw) or (kh, kw, C, F) -> [F][C][kh][kw], at most the API's filters. */
export function fromApiKernel(k, maxF = limits.conv.max_f) {
  const d = depth(k);
  if (d === 2) return [[k.map((r) => r.map(Number))]];
  if (d !== 4) throw new Error("kernel rank");
  const c = k[0][0].length, f = Math.min(maxF, k[0][0][0].length);
  return Array.from({ length: f }, (_, fi) => Array.from({ length: c }, (_x, ch) => k.map((row) => row.map((cell) => Number(cell[ch][fi])))));
}
