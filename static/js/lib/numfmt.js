// The one rule for a number shown in a box (a grid cell, an editor's field, a readout, a chart label, a
// table): the text is never cut. It is the most precise text that fits the box's width, rounded (never
// truncated), in fixed notation when that is as precise, in exponent notation when it must be
// (0.0001 -> "1e-4", 5.735e-39 -> "6e-39", never "0001", ".0001" or "0"); it never reads as zero, as "-0",
// as a whole number when a value under 100 is not one (tanh(5) = 0.99991 is "0.9999", never "1"), and it
// is never more than 20% off. When even the shortest honest text is wider than the box, that text is
// returned all the same (`fits` says so) and the box shrinks the text rather than cutting it. The full
// value goes in the tooltip and the accessible name.
//
//   fit(value, chars, digits = 4)     the text for a box `chars` characters wide (Infinity: no limit)
//   full(value)                       the full value (12 significant digits: every float32 exactly)
//   charsIn(px, fontPx)               how many characters of digits fit in px at a font size
//   setNumber(el, value, options)     el's text, tooltip and accessible name from the rule
//   count(n)                          a whole count with thousands separators ("1,498,376"), for totals
// Pure functions apart from setNumber; tests/e2e/test_numfmt.py runs them in the browser.

const CLOSE = 1e-6;  // relative error under which a text counts as the value itself (float32 noise)
const ROUGH = 0.2;   // a shorter text may be this far off (relative), never more: else the text shrinks
const SIG = 3;       // significant digits of exponent notation at most ("9.68e-7")
const CHAR_EM = 0.62; // width of a digit in em (tabular digits of the UI font, the monospace font: ≤ 0.62)

const trim = (s) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);

function fixed(v, d) {
  const s = trim(v.toFixed(d));
  return s === "-0" ? "0" : s;
}

function expo(v, p) {
  const [m, e] = v.toExponential(p - 1).split("e");
  return `${trim(m)}e${e.replace("+", "")}`;
}

const isWhole = (v) => Math.round(v) !== 0 && Math.abs(v - Math.round(v)) <= CLOSE * Math.abs(v);
const reads = (s) => Number(s.replace("−", "-"));

/** Every honest way to write v with at most `digits` decimals or SIG significant digits, most precise first. */
function candidates(v, digits) {
  const a = Math.abs(v), out = [];
  if (a < 1e21) for (let d = digits; d >= 0; d--) out.push(fixed(v, d));
  // exponent notation below 1 and from 100 on: from 1 to 100 it is never shorter than fixed notation ("9.63e0")
  if (a < 1 || a >= 100) for (let p = SIG; p >= 1; p--) out.push(expo(v, p));
  const whole = isWhole(v);
  const seen = new Set();
  return out.filter((s) => {
    if (seen.has(s)) return false;
    seen.add(s);
    const x = reads(s);
    if (x === 0 || Object.is(x, -0)) return false;             // a value that is not 0 never reads 0
    if (!whole && a < 100 && Number.isInteger(x)) return false; // 0.99991 never reads "1" (nor 2.5 "3")
    return Math.abs(x - v) / a <= ROUGH;                       // rounded, not made up
  }).map((s) => ({ s, err: Math.abs(reads(s) - v) / a }))
    .sort((p, q) => p.err - q.err || (p.s.includes("e") - q.s.includes("e")) || p.s.length - q.s.length);
}

/**
 * The text for `value` in a box `chars` characters wide: the most precise candidate that fits (fixed
 * notation before exponent notation when they are as precise, then the shorter); when none fits, the
 * shortest candidate (the box must shrink it). null/undefined: "". NaN: "–". ±Infinity: "∞", "-∞".
 */
export function fit(value, chars = Infinity, digits = 4) {
  if (value === null || value === undefined || value === "") return "";
  const v = Number(value);
  if (Number.isNaN(v)) return "–";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "-∞";
  if (v === 0) return "0";
  if (isWhole(v) && Math.abs(v) < 1e7 && String(Math.round(v)).length <= chars) return String(Math.round(v));
  let all = candidates(v, digits);
  // nothing honest with so few decimals (0.99991 with 3, 9.02 with 1): as many more as it takes
  for (let d = digits + 1; !all.length && d <= 12; d++) all = candidates(v, d);
  if (!all.length) return full(v);
  const best = all.find((c) => c.s.length <= chars);
  if (best) return best.s;
  return all.reduce((p, q) => (q.s.length < p.s.length ? q : p)).s;
}

/** Does the text of fit(value, chars, digits) fit in `chars` characters? */
export const fits = (value, chars, digits = 4) => fit(value, chars, digits).length <= chars;

/** The full value for the tooltip and the accessible name: 12 significant digits, trailing zeros dropped. */
export function full(value) {
  if (value === null || value === undefined || value === "") return "";
  const v = Number(value);
  if (!Number.isFinite(v)) return fit(v);
  if (v === 0) return "0";
  const s = String(Number(v.toPrecision(12)));
  return s.replace("e+", "e");
}

/** How many digits fit in `px` at a font size of `fontPx` (tabular digits). */
export const charsIn = (px, fontPx) => Math.max(1, Math.floor(px / (fontPx * CHAR_EM)));

/** The widest text fit gives any number of `values` (nested arrays; nulls ignored) with at most `cap` chars. */
export function widest(values, cap = Infinity, digits = 4) {
  let n = 1;
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "number") n = Math.max(n, fit(v, cap, digits).length);
  };
  walk(values);
  return n;
}

/** A whole count with thousands separators, for totals (written with no-break so it never breaks). */
export const count = (n) => Number(n).toLocaleString("en-US");

const IMPLICIT = { OUTPUT: "status", TD: "cell", TH: "columnheader", BUTTON: "button", A: "link" };
// roles whose accessible name may be given with aria-label
const NAMED = new Set(["gridcell", "cell", "img", "button", "link", "option", "columnheader", "rowheader", "status"]);

/**
 * Show `value` in `el` by the rule: options {chars (the box's width in characters), digits, name: the
 * element that carries the tooltip and the accessible name (default el)}. When the text is shorter than the
 * full value, the full value is in the tooltip and in the accessible name: aria-label "text (full)" where
 * the role takes one, else a screen-reader-only copy beside the shown text. Text that does not fit even so
 * is scaled down to the box (data-fit="shrunk"), never cut. Returns the text shown.
 */
export function setNumber(el, value, { chars = Infinity, digits = 4, name = el } = {}) {
  const text = fit(value, chars, digits), whole = full(value);
  const short = text !== whole && text !== "";
  if (name instanceof SVGElement) {
    let title = name.querySelector(":scope > title");
    if (!title) title = name.appendChild(document.createElementNS("http://www.w3.org/2000/svg", "title"));
    el.textContent = text;
    if (el === name) el.append(title);
    title.textContent = whole;
    return text;
  }
  if (whole) name.title = whole; else name.removeAttribute("title");
  const role = name.getAttribute("role") || IMPLICIT[name.tagName];
  el.textContent = text;
  if (NAMED.has(role)) {
    if (short) name.setAttribute("aria-label", `${text} (${whole})`);
    else name.removeAttribute("aria-label");
  } else if (short) {
    el.append(srOnly(whole));
  }
  if (Number.isFinite(chars) && text.length > chars) {
    el.dataset.fit = "shrunk";
    el.style.setProperty("--fit", String(chars / text.length));
  } else if (el.dataset.fit) {
    delete el.dataset.fit;
    el.style.removeProperty("--fit");
  }
  return text;
}

// a number in running text (the same shape tests/e2e/js/fit_check.js looks for)
const NUMBER = /(?:(?<=^|[\s(\[=,;:×+])-)?(?<![\w.\-/])\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?%?/gi;

/**
 * Put `text` (a formula from the API) in `el` with every number kept on one line (a span with
 * white-space: nowrap, class "nb"): a line may break between numbers, never inside one (5e-39 has a
 * hyphen, where browsers break). el.textContent stays exactly `text`; nothing is read from it.
 */
export function keepNumbers(el, text) {
  const parts = [];
  let at = 0;
  for (const m of text.matchAll(NUMBER)) {
    if (!/[e,]/i.test(m[0]) && m[0][0] !== "-") continue; // only a minus, an exponent or a comma can break
    if (m.index > at) parts.push(document.createTextNode(text.slice(at, m.index)));
    const span = document.createElement("span");
    span.className = "nb";
    span.textContent = m[0];
    parts.push(span);
    at = m.index + m[0].length;
  }
  if (at < text.length) parts.push(document.createTextNode(text.slice(at)));
  el.replaceChildren(...parts);
}

function srOnly(text) {
  const s = document.createElement("span");
  s.className = "sr-only";
  s.textContent = ` (${text})`;
  return s;
}
