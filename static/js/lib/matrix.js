// Plain matrices (arrays of rows): reading one from text, writing one as text, reshaping, and the
// nested-array facts the pages need for drawing. Nothing here computes a result the API returns.
import { fmt } from "./i18n.js";

/** "1 2 3\n4 5 6", "1,2;3,4", tab-separated cells or JSON [[1,2],[3,4]] -> {matrix} or {error: code}. */
export function parseMatrix(text) {
  const trimmed = text.trim();
  if (!trimmed) return { error: "empty" };
  let rows;
  if (trimmed.startsWith("[")) {
    try {
      rows = JSON.parse(trimmed);
    } catch {
      return { error: "syntax" };
    }
    if (!Array.isArray(rows)) return { error: "syntax" };
    if (!Array.isArray(rows[0])) rows = [rows];
  } else {
    rows = trimmed.split(/\s*[\n;]\s*/).filter(Boolean).map((line) => line.split(/[\s,]+/).filter(Boolean).map(Number));
  }
  if (!rows.length || rows.some((r) => !Array.isArray(r) || r.length === 0)) return { error: "empty" };
  if (rows.some((r) => r.length !== rows[0].length)) return { error: "ragged" };
  if (rows.some((r) => r.some((v) => typeof v !== "number" || !Number.isFinite(v)))) return { error: "number" };
  return { matrix: rows };
}

/** One row a line, numbers separated by spaces (what parseMatrix reads back). */
export const matrixText = (m, digits = 4) => m.map((row) => row.map((v) => fmt(v, digits)).join(" ")).join("\n");

/** A non-empty rectangular matrix of finite numbers? */
export const isMatrix = (m) => Array.isArray(m) && m.length > 0 && Array.isArray(m[0]) && m[0].length > 0
  && m.every((r) => Array.isArray(r) && r.length === m[0].length && r.every(Number.isFinite));

/** A rows × cols copy of m: cropped, or grown with `fill`. */
export function reshape(m, rows, cols, fill = 0) {
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => m[r]?.[c] ?? fill));
}

/** Random integers in [lo, hi]. */
export function randomMatrix(rows, cols, lo, hi) {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => lo + Math.floor(Math.random() * (hi - lo + 1))));
}

/** Depth of a nested array: 2 for a matrix, 3 for (H, W, C), 4 for (kh, kw, C, F). */
export function depth(a) {
  let d = 0;
  while (Array.isArray(a)) { d += 1; a = a[0]; }
  return d;
}

/** Largest |value| of a nested array (for a colour scale); nulls ignored. */
export function maxAbsOf(values) {
  let m = 0;
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "number") m = Math.max(m, Math.abs(v));
  };
  walk(values);
  return m;
}
