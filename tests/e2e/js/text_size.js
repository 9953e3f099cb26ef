// Evaluated in a page by tests/e2e/audit.py: the rendered size (CSS px of the font, after every scaling) of
// each label in a diagram, as a list of {where, text, px}, smallest first.
//  - SVG <text>: the computed font size times the scale of the text's screen matrix (viewBox, transforms);
//  - canvas labels: every fillText the page made (recorded by CANVAS_HOOK below, installed before the
//    page's scripts run), its font size times the context's transform and the canvas' CSS scale;
//  - HTML labels inside diagrams: the computed font size of text in the elements named by DIAGRAM.
// Hidden labels (display none, visibility hidden, zero size, outside a closed <details>) are skipped.
(args) => {
  const DIAGRAM = args?.selectors || [".mgrid .cell", ".cell .w", ".unroll", ".uvals", ".gate-meters", ".readout",
    ".legend", ".heat-name"];
  const out = [];
  const shown = (el) => {
    if (el.closest("[hidden], .sr-only, details:not([open]) > :not(summary)")) return false;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === "none" || cs.visibility === "hidden" || Number(cs.opacity) === 0) return false;
    }
    return true;
  };
  const where = (el) => {
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && parts.length < 3; e = e.parentElement) {
      let p = e.tagName.toLowerCase();
      if (e.id) { parts.unshift(`${p}#${e.id}`); break; }
      const cls = e.getAttribute("class");
      if (cls) p += "." + cls.trim().split(/\s+/).slice(0, 2).join(".");
      parts.unshift(p);
    }
    return parts.join(" > ");
  };
  for (const text of document.querySelectorAll("svg text")) {
    if (!text.textContent.trim() || !shown(text)) continue;
    const m = text.getScreenCTM();
    if (!m) continue;
    const scale = Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
    const shownText = [...text.childNodes].filter((n) => n.nodeName !== "title").map((n) => n.textContent).join("");
    out.push({ where: where(text), text: shownText.trim().slice(0, 40),
      px: parseFloat(getComputedStyle(text).fontSize) * scale });
  }
  for (const [canvas, labels] of (window.__canvasLabels || new Map())) {
    if (!canvas.isConnected || !shown(canvas) || !canvas.width) continue;
    const css = canvas.getBoundingClientRect().width / canvas.width;
    for (const [label, px] of labels) out.push({ where: where(canvas), text: label.slice(0, 40), px: px * css });
  }
  const seen = new Set();
  for (const sel of DIAGRAM) {
    for (const el of document.querySelectorAll(sel)) {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const host = node.parentElement;
        if (!node.textContent.trim() || seen.has(host) || host instanceof SVGElement || !shown(host)) continue;
        seen.add(host);
        out.push({ where: where(host), text: node.textContent.trim().slice(0, 40), px: parseFloat(getComputedStyle(host).fontSize) });
      }
    }
  }
  return out.sort((a, b) => a.px - b.px);
}
