// Numbers on the /model page: lib/numfmt.js's rule, the app's one rule for a number shown (2.49e-22, -0.0487,
// tanh(5) = 0.99991 is "0.9999", never "1"), with the full value in the title. One case is kept from reading
// as a whole number here: numfmt counts a value within a millionth of a whole number as that number (float32
// noise: 2.0000000298 is "2"), so a softmax's 0.9999999998 would read "1", certain, which it is not.
import { fit, full, setNumber } from "../lib/numfmt.js";

const trim = (s) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);

/**
 * `text` as fit wrote v, unless v is strictly between -1 and 1 and the text is "1" or "-1": then the fewest
 * decimals that do not read ±1, rounded as fit rounds ("0.9999999998"), as numfmt does when no shorter text is
 * honest. Values from 1 on keep numfmt's reading of float32 noise.
 */
function notWhole(v, text) {
  if (!(Math.abs(v) < 1) || !/^-?1$/.test(text)) return text;
  for (let d = 5; d <= 15; d++) {
    const s = trim(v.toFixed(d));
    if (Math.abs(Number(s)) !== 1) return s;
  }
  return String(v);
}

/** A number in running text (a sentence, an accessible name, a fact): "·" for a padding cell (null). */
export const num = (v, digits = 4) => (v === null || v === undefined ? "·" : notWhole(v, fit(v, Infinity, digits)));

/**
 * A number in a box (a bar's value, a table's cell): numfmt's setNumber (the text, the full value in the title
 * and for screen readers), with the text of num. Returns the text shown.
 */
export function showNumber(el, v, options = {}) {
  const shown = setNumber(el, v, options);
  const text = notWhole(v, shown);
  if (text === shown) return shown;
  el.firstChild.nodeValue = text;                // setNumber wrote its text first, then the full value
  const name = options.name || el;
  if (name.hasAttribute("aria-label")) name.setAttribute("aria-label", `${text} (${full(v)})`);
  return text;
}

/** (None, 24, 24, 32) as Keras prints output shapes; null is a free axis. */
export const kerasShape = (shape, batch = true) => {
  const dims = [...(batch ? [null] : []), ...shape].map((d) => (d === null ? "None" : String(d)));
  return `(${dims.join(", ")}${dims.length === 1 ? "," : ""})`;
};

/** 293,546 */
export const count = (n) => n.toLocaleString("en");
