// Formatting only: the output-size rule with the current numbers in it. (The formula shown while a
// step builds up comes from the API's `terms`: no JavaScript parses formula text.)

/** The pieces of the output-size rule for one axis, numbers substituted; d null: no dilation (pooling). */
export function outputSizeText({ axis, n, pTotal, d, k, s, o }) {
  const known = pTotal !== null && pTotal !== undefined;
  const p = known ? String(pTotal) : "p";
  const rhs = d === null ? `⌊(${n} + ${p} − ${k}) / ${s}⌋ + 1` : `⌊(${n} + ${p} − ${d}·(${k} − 1) − 1) / ${s}⌋ + 1`;
  return `o${axis} = ${rhs}` + (o !== null && o !== undefined ? ` = ${o}` : "");
}
