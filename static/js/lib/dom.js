// Element builders for every page: text always goes in as textContent, never as HTML.
const NS = "http://www.w3.org/2000/svg";

/** h("div", {class: "x", "data-t": 2, dataset: {layer: "conv1"}}, "text" | [children]) */
export function h(tag, attrs = {}, content) {
  return fill(document.createElement(tag), attrs, content);
}

/** The same for SVG elements. */
export function s(tag, attrs = {}, content) {
  return fill(document.createElementNS(NS, tag), attrs, content);
}

function fill(el, attrs, content) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  if (Array.isArray(content)) el.append(...content.filter((c) => c !== null && c !== undefined));
  else if (content !== null && content !== undefined) el.textContent = String(content);
  return el;
}

const SUB = "₀₁₂₃₄₅₆₇₈₉";
/** 12 -> "₁₂": time steps and cell indices as the lecture writes them. */
export const sub = (n) => String(n).replace(/\d/g, (d) => SUB[Number(d)]);

export const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/** The reader asks for less motion (prefers-reduced-motion): no animation, no smooth scrolling. */
export const reducedMotion = () => window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;

/** A scroll's `behavior`: smooth, unless the reader asks for less motion. */
export const scrollBehavior = () => (reducedMotion() ? "instant" : "smooth");
