// Formatting only: cut the API's formula string into the pieces shown as a step builds up, and
// write the output-size rule with the current numbers in it. No arithmetic on the data happens here.

// One product term of the API's formula: "3×1", "(-2)×0.5", "1.5e-05×(-3)".
const TERM = /\(?-?[\d.]+(?:e[+-]?\d+)?\)?×\(?-?[\d.]+(?:e[+-]?\d+)?\)?/g;

/** The end offset (in the formula string) of each product term, in order. */
export function termEnds(formula) {
  const lhs = formula.split(" = ")[0];
  const ends = [];
  for (const m of lhs.matchAll(TERM)) ends.push(m.index + m[0].length);
  return ends;
}

/**
 * The formula as it stands after `shown` products (0..n), closing the open group so it reads
 * naturally: "(0×2 + 0×1" -> "(0×2 + 0×1 …". With shown >= n the full API string is returned.
 */
export function partialFormula(formula, shown) {
  const ends = termEnds(formula);
  if (shown >= ends.length) return formula;
  if (shown <= 0) return "";
  return formula.slice(0, ends[shown - 1]) + " …";
}

/** The pieces of the output-size rule for one axis, numbers substituted. */
export function outputSizeText({ axis, n, pTotal, d, k, s, o }) {
  const known = pTotal !== null && pTotal !== undefined;
  const p = known ? String(pTotal) : "p";
  const rhs = `⌊(${n} + ${p} − ${d}·(${k} − 1) − 1) / ${s}⌋ + 1`;
  return `o${axis} = ${rhs}` + (o !== null && o !== undefined ? ` = ${o}` : "");
}
