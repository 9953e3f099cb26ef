// Lesson links. ?hide=settings,keras and ?embed=1 are applied by the server (app/pages.py: data-off on the
// named panels, no site header, navigation or footer); this module keeps an embedded page's links embedded and
// wires the "copy link to this step"
// buttons: the page's URL already holds its state (lib/url.js), so the link is location.href. It goes to the
// clipboard when the browser allows it (a secure context); otherwise the link is shown in a field, selected,
// for Ctrl+C. Either way the live region says what happened.
import { announce, t } from "./i18n.js";

const NOTE_MS = 2500;
let caveat = null; // an i18n key said instead of "Link copied" while the URL does not hold everything shown

/** What a copied link leaves out of the page's view (e.g. /draw's own drawing), or null when it holds it all. */
export function setLinkCaveat(key) { caveat = key; }

async function toClipboard(text) {
  if (!navigator.clipboard?.writeText) return false;
  try { await navigator.clipboard.writeText(text); return true; } catch { return false; }
}

function wire(box) {
  const [button, field, note] = [box.querySelector("button"), box.querySelector("input"), box.querySelector(".copy-link-note")];
  let timer = null;
  const say = (key) => {
    if (key === "link.copied" && caveat) key = caveat;
    announce(t(key));
    note.textContent = key === "link.select" ? "" : t(key);
    clearTimeout(timer);
    timer = setTimeout(() => { note.textContent = ""; }, caveat ? 2 * NOTE_MS : NOTE_MS);
  };
  button.addEventListener("click", async () => {
    const url = location.href;
    if (await toClipboard(url)) { field.hidden = true; say("link.copied"); return; }
    field.hidden = false;
    field.value = url;
    field.size = Math.min(60, url.length);
    field.focus();
    field.select();
    let copied = false;
    try { copied = document.execCommand("copy"); } catch { /* not allowed here */ }
    say(copied ? "link.copied" : "link.select");
  });
}

// In an embedded page (?embed=1, in a course site's frame) the page's own links stay embedded: a link to
// another page of the app gets embed=1 as it is followed (on the click, so links a page builds later count
// too), instead of opening the whole site, header and navigation, inside the frame.
const NOT_PAGES = /^\/(api|static|docs|redoc|openapi)/;

function keepEmbedded(event) {
  const a = event.target.closest?.("a[href]");
  if (!a || a.target === "_blank") return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || NOT_PAGES.test(url.pathname) || url.searchParams.get("embed") === "1") return;
  url.searchParams.set("embed", "1");
  a.href = url.href;
}

export function startLesson() {
  document.querySelectorAll("[data-copy-link]").forEach(wire);
  if (document.documentElement.classList.contains("embed")) {
    document.addEventListener("click", keepEmbedded, true);
    document.addEventListener("auxclick", keepEmbedded, true);
  }
}
