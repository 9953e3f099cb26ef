// Small helpers the /backprop scenes share: naming cells, empty grids, window lists as matrices.
import { sub } from "../lib/dom.js";

/** x₁₂, a₀₁: a cell by its letter (x inputs, a outputs, as the lecture names them). */
export const name = (v, i, j) => `${v}${sub(i)}${i > 9 || j > 9 ? "," : ""}${sub(j)}`;

/** A matrix of m's shape with no numbers (cells that fill in later). */
export const nulls = (m) => m.map((row) => row.map(() => null));

export const cellKey = ([r, c]) => `${r},${c}`;

export const flat = (v) => v.flat(Infinity);

/** A flat window list as rows × cols (the window's width is how many of its cells share its first row). */
export function square(list, window) {
  const cols = window.filter(([r]) => r === window[0][0]).length;
  return Array.from({ length: list.length / cols }, (_, a) => list.slice(a * cols, (a + 1) * cols));
}
