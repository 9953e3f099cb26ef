// Numbers on the /model page: as the engine writes them (integers bare, otherwise at most 4 decimals), tiny
// and huge ones in exponent form so a table column stays narrow; the full value goes in the title.
import { fmt } from "../lib/i18n.js";

export const num = (v) => {
  if (v === null || v === undefined) return "·";
  const a = Math.abs(v);
  if (v !== 0 && (a < 1e-4 || a >= 1e7)) return v.toExponential(2).replace("e+", "e");
  return fmt(v, 4);
};

/** (None, 24, 24, 32) as Keras prints output shapes; null is a free axis. */
export const kerasShape = (shape, batch = true) => {
  const dims = [...(batch ? [null] : []), ...shape].map((d) => (d === null ? "None" : String(d)));
  return `(${dims.join(", ")}${dims.length === 1 ? "," : ""})`;
};

/** 293,546 */
export const count = (n) => n.toLocaleString("en");
