// Evaluated in a page by tests/e2e/audit.py (Playwright's page.evaluate): every place where a text or an
// input's value does not fit, as a list of {kind, where, text, detail}. An empty list means nothing is cut.
//
// kinds:
//   page-wider   the document is wider than the viewport (the page scrolls sideways)
//   clipped      an element that clips (overflow hidden/clip) has content wider or taller than its box,
//                and the part outside holds text
//   text-out     a text sticks out of the box of the nearest element that clips it (overflow hidden/clip,
//                an <svg>), or out of its own fixed-size box (the block it sits in), when that block does
//                not scroll
//   input-value  an <input>'s value is wider than the field
//   number-break a number is broken over two lines
// Hidden things (display none, visibility hidden, .sr-only, .sr-narrow on a phone, zero size, aria-hidden decoration without
// text) are skipped. Scrolling boxes (overflow auto/scroll) are fine: what is outside can be scrolled to.
() => {
  const out = [];
  const vw = document.documentElement.clientWidth;
  const SLACK = 1.5; // px: subpixel rounding
  const where = (el) => {
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && parts.length < 4; e = e.parentElement) {
      let p = e.tagName.toLowerCase();
      if (e.id) { p += `#${e.id}`; parts.unshift(p); break; }
      const cls = typeof e.className === "string" ? e.className.trim().split(/\s+/).filter(Boolean).slice(0, 2) : [];
      if (cls.length) p += "." + cls.join(".");
      parts.unshift(p);
    }
    return parts.join(" > ");
  };
  const style = (el) => getComputedStyle(el);
  const clips = (cs) => ["hidden", "clip"].includes(cs.overflowX) || ["hidden", "clip"].includes(cs.overflowY);
  const scrolls = (cs) => ["auto", "scroll"].includes(cs.overflowX) || ["auto", "scroll"].includes(cs.overflowY);
  const narrowOnly = (el) => { const n = el.closest(".sr-narrow"); return n && style(n).clip === "rect(0px, 0px, 0px, 0px)"; };
  const srOnly = (el) => narrowOnly(el) ||
    el.closest(".sr-only, [hidden], template, script, style, noscript, title, desc, option, datalist");
  const visible = (el) => {
    if (srOnly(el)) return false;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return false;
    const cs = style(el);
    return cs.visibility !== "hidden" && cs.display !== "none" && Number(cs.opacity) > 0;
  };

  if (document.documentElement.scrollWidth > vw + SLACK) {
    const wide = [...document.body.querySelectorAll("*")].filter((e) => {
      const r = e.getBoundingClientRect();
      return r.right > vw + SLACK && visible(e);
    }).slice(-3).map(where);
    out.push({ kind: "page-wider", where: "html", text: "", detail: `${document.documentElement.scrollWidth} > ${vw}: ${wide.join(" | ")}` });
  }

  // the nearest ancestor (or the element) that clips, and whether a scrolling box comes first
  const clipper = (el) => {
    for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
      if (e instanceof SVGSVGElement) return { box: e, scrollFirst: false };
      if (e instanceof SVGElement) continue;
      const cs = style(e);
      if (scrolls(cs)) return { box: null, scrollFirst: true };
      if (clips(cs)) return { box: e, scrollFirst: false };
    }
    return { box: null, scrollFirst: false };
  };
  const block = (el) => {
    for (let e = el; e; e = e.parentElement) {
      if (e instanceof SVGElement) return null;
      const d = style(e).display;
      if (d !== "inline" && d !== "contents") return e;
    }
    return null;
  };

  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  // a number: digits not glued to a word, a URL or a list like 64-192-384 (a minus only after a space or bracket)
  const NUM = /(?:(?<=^|[\s(\[=,;:×+])-)?(?<![\w.\-/])\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?%?/gi;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    if (!text.trim()) continue;
    const el = node.parentElement;
    if (!el || !visible(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const { box, scrollFirst } = clipper(el);
    if (box) {
      const b = box.getBoundingClientRect();
      if (r.left < b.left - SLACK || r.right > b.right + SLACK || r.top < b.top - SLACK || r.bottom > b.bottom + SLACK) {
        out.push({ kind: "text-out", where: where(el), text: text.trim().slice(0, 60),
          detail: `text ${r.left.toFixed(1)}..${r.right.toFixed(1)} × ${r.top.toFixed(1)}..${r.bottom.toFixed(1)} outside ${where(box)} ${b.left.toFixed(1)}..${b.right.toFixed(1)} × ${b.top.toFixed(1)}..${b.bottom.toFixed(1)}` });
        continue;
      }
    }
    if (!(el instanceof SVGElement)) {
      // the text's own block and every block around it, up to the first one that scrolls: the text stays inside
      // (inside a box that scrolls, text may run past the boxes within it: it is reached by scrolling)
      let out_ = null;
      const chain = [];
      for (let e = block(el); e && e !== document.body; e = e.parentElement) chain.push(e);
      if (!scrollFirst && !chain.some((e) => scrolls(style(e)))) {
        for (const e of chain) {
          const cs = style(e);
          if (cs.display === "inline" || cs.display === "contents") continue;
          const b = e.getBoundingClientRect();
          if (r.left < b.left - SLACK || r.right > b.right + SLACK) { out_ = [e, b]; break; }
        }
      }
      if (out_) {
        const [e, b] = out_;
        out.push({ kind: "text-out", where: where(el), text: text.trim().slice(0, 60),
          detail: `text ${r.left.toFixed(1)}..${r.right.toFixed(1)} wider than its box ${where(e)} ${b.left.toFixed(1)}..${b.right.toFixed(1)}` });
        continue;
      }
    }
    // numbers stay on one line
    for (const m of text.matchAll(NUM)) {
      if (m[0].replace(/\D/g, "").length < 2) continue;
      const nr = document.createRange();
      nr.setStart(node, m.index);
      nr.setEnd(node, m.index + m[0].length);
      const tops = new Set([...nr.getClientRects()].filter((q) => q.width > 0).map((q) => Math.round(q.top)));
      if (tops.size > 1) {
        out.push({ kind: "number-break", where: where(el), text: m[0], detail: `on ${tops.size} lines` });
      }
    }
  }

  // boxes that clip: their content must not hold text outside them (caught above) nor be larger
  for (const el of document.body.querySelectorAll("*")) {
    if (el instanceof SVGElement || !visible(el)) continue;
    const cs = style(el);
    if (!clips(cs) || !el.textContent.trim()) continue;
    if (el.matches("input, textarea, select, canvas, img, video")) continue;
    const wide = el.scrollWidth > el.clientWidth + SLACK && ["hidden", "clip"].includes(cs.overflowX);
    const tall = el.scrollHeight > el.clientHeight + SLACK && ["hidden", "clip"].includes(cs.overflowY);
    if (wide || tall) {
      out.push({ kind: "clipped", where: where(el), text: el.textContent.trim().slice(0, 60),
        detail: `scroll ${el.scrollWidth}×${el.scrollHeight} > client ${el.clientWidth}×${el.clientHeight}` });
    }
  }

  // input values: the text's width (the field's own font) within the field's content box
  const canvas = document.createElement("canvas");
  const g = canvas.getContext("2d");
  for (const el of document.querySelectorAll("input")) {
    if (!["text", "number", "search", ""].includes(el.type) || !el.value || !visible(el)) continue;
    const cs = style(el);
    g.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    const w = g.measureText(el.value).width;
    const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    if (w > room + SLACK) {
      out.push({ kind: "input-value", where: where(el), text: el.value,
        detail: `value ${w.toFixed(1)} px in ${room.toFixed(1)} px` });
    }
  }
  return out;
}
