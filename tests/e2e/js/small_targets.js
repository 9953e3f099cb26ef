// Controls a finger cannot hit: visible, enabled targets under 24×24 CSS px (WCAG 2.5.8), where the target is
// the control's box, or its <label>'s when the label holds it (a checkbox's words are part of what one taps).
// Links inside a sentence are exempt, as WCAG exempts them; so are drawings and what assistive technology skips.
() => {
  const sel = "button, a[href], input:not([type=hidden]), select, textarea, summary, [role=button], [role=tab], "
    + "[role=option], [role=slider]";
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    const own = el.getBoundingClientRect();
    if (!own.width || !own.height || getComputedStyle(el).visibility === "hidden") continue;
    if (el.closest("svg, [aria-hidden=true], .sr-only")) continue;
    const b = (el.closest("label") ?? el).getBoundingClientRect();
    if (b.width >= 24 && b.height >= 24) continue;
    const inSentence = el.tagName === "A" && [...el.parentElement.childNodes]
      .some((n) => n !== el && n.nodeType === 3 && n.textContent.trim());
    if (inSentence) continue;
    const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${[...el.classList].map((c) => `.${c}`).join("")}`;
    out.push(`${name} ${Math.round(b.width)}×${Math.round(b.height)}: ${(el.textContent || el.value || "").trim().slice(0, 24)}`);
  }
  return out;
}
