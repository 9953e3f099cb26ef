// Presenter mode: text of at least 20 px, the player kept on screen, the settings folded behind a toggle and
// the main animation within 1280×720 (the `.present` rules in app.css and the page's CSS).
// The server renders the mode from ?present=1/0 or else the `present` cookie (no flash on load); this module
// switches it (the header's toggle, the P key) and remembers the choice like the language: a cookie for the
// server, localStorage for the browser. A `present` in the URL wins over both and follows the switch.
// It is for a projector: on a screen under 700 px wide (a phone) its 20 px text and 1280×720 layouts do not fit,
// so there the mode is kept (URL, cookie) but not applied: the class comes off, and comes back on a wider
// screen (app.css and rnn.css guard their .present rules with the same width, so a phone never shows them
// before this module runs). Switching it on there says why nothing changes.
import { h, scrollBehavior } from "./dom.js";
import { announce, onLangChange, t } from "./i18n.js";

const root = document.documentElement;
const folds = [];
const wide = window.matchMedia("(min-width: 700px)");
let wanted = root.classList.contains("present"); // what the URL, the cookie or the switch asked for

export const presenting = () => root.classList.contains("present");
/** The reader's choice (the URL, the cookie or the switch), kept on a phone where the mode is not applied. */
export const presenterChoice = () => wanted;

/** The class follows the wish where the screen is wide enough; the toggle and the folds follow the class. */
function apply() {
  const on = wanted && wide.matches;
  root.classList.toggle("present", on);
  document.getElementById("present-toggle")?.setAttribute("aria-pressed", String(on));
  folds.forEach((f) => f.set(!on));
}

/** A panel that presenter mode folds to its heading and a Show/Hide button (a disclosure). */
class Fold {
  constructor(panel, n) {
    this.panel = panel;
    const heading = panel.querySelector("h2");
    panel.id ||= `fold-${n}`;
    heading.id ||= `${panel.id}-h`;
    this.button = h("button", { type: "button", class: "fold-toggle", id: `${panel.id}-fold`,
      "aria-controls": panel.id, "aria-labelledby": `${panel.id}-fold-text ${heading.id}` },
    [h("span", { id: `${panel.id}-fold-text` })]);
    this.button.addEventListener("click", () => this.set(!this.open));
    heading.after(this.button);
    panel.classList.add("foldable");
    this.set(!presenting());
  }

  set(open) {
    this.open = open;
    this.panel.classList.toggle("folded", !open);
    this.button.setAttribute("aria-expanded", String(open));
    this.button.firstChild.textContent = t(open ? "present.hide" : "present.show");
  }
}

/** Switch presenter mode; `remember` stores the choice (cookie, localStorage, the URL's `present`). */
export function setPresenting(on, { remember = true, say = true } = {}) {
  if (on && !wide.matches) {  // a phone: nothing to switch on
    if (say) announce(t("present.narrow"));
    return;
  }
  wanted = on;
  apply();
  if (remember) {
    document.cookie = `present=${on ? 1 : 0}; path=/; max-age=31536000; SameSite=Lax`;
    try { localStorage.setItem("present", on ? "1" : "0"); } catch { /* private mode */ }
    const params = new URLSearchParams(location.search);
    if (params.has("present")) {
      params.set("present", on ? "1" : "0");
      const query = params.toString().replace(/%5B/g, "[").replace(/%5D/g, "]").replace(/%2C/g, ",");
      history.replaceState(history.state, "", `${location.pathname}?${query}${location.hash}`);
    }
  }
  if (say) announce(t(on ? "present.on" : "present.off"));
  window.dispatchEvent(new Event("resize")); // charts and diagrams that fit their box measure it again
}

export const togglePresenting = () => setPresenting(!presenting());

/**
 * After the reader moves the player (a button, a key, the scrubber), presenter mode scrolls the page as little as
 * it takes to show the animation's parts (`[data-present-view]`) above the fixed player, with a small margin. Parts
 * taller than that room show from their top, unless they already fill it (the reader scrolled within them: left
 * there). Off presenter mode the page never moves; play's own steps never move it either.
 */
export function keepInView() {
  if (!presenting()) return;
  const boxes = [...document.querySelectorAll("[data-present-view]")]
    .map((el) => el.getBoundingClientRect()).filter((b) => b.height);
  if (!boxes.length) return;
  const top = Math.min(...boxes.map((b) => b.top)), bottom = Math.max(...boxes.map((b) => b.bottom));
  const room = window.innerHeight - (document.querySelector(".player")?.offsetHeight ?? 0);
  const margin = Math.min(8, Math.max(0, room - (bottom - top)));
  let dy = 0;
  if (bottom - top > room) dy = top > 0 || bottom < room ? top : 0;     // too tall: its top, unless it fills the room
  else if (top < margin) dy = top - margin;                             // above the screen: down to its top
  else if (bottom > room - margin) dy = bottom - room + margin;         // under the player: up, just enough
  if (Math.abs(dy) < 1) return;
  window.scrollTo({ top: window.scrollY + dy, behavior: scrollBehavior() });  // absolute: a key pressed
  // again while it scrolls aims at the same place
}

export function startPresenter() {
  apply();   // the server rendered the wish; a narrow screen takes the class off before the folds are made
  wide.addEventListener("change", () => { apply(); window.dispatchEvent(new Event("resize")); });
  document.querySelectorAll("[data-panel='settings']").forEach((panel, n) => {
    if (panel.querySelector("h2")) folds.push(new Fold(panel, n));
  });
  document.getElementById("present-toggle")?.addEventListener("click", togglePresenting);
  // the page keeps room under its end for the fixed player, however many rows the player wraps to
  const bar = document.querySelector(".player");
  if (bar && "ResizeObserver" in window) {
    new ResizeObserver(() => root.style.setProperty("--player-room", `${bar.offsetHeight}px`)).observe(bar);
  }
  onLangChange(() => folds.forEach((f) => f.set(f.open)));
  // remembered in this browser but not told to the server (a cookie cleared, another port): as the language does
  let saved = null;
  try { saved = localStorage.getItem("present"); } catch { /* private mode */ }
  if (!new URLSearchParams(location.search).has("present") && saved !== null && (saved === "1") !== wanted) {
    setPresenting(saved === "1", { say: false });
  }
}
