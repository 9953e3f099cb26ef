// /conv's two modes: the numbers stepped through (static/js/pages/conv.js) and "Your picture"
// (static/js/picture/page.js, started the first time it is shown). The mode lives in the URL (?mode=picture);
// the switch's links work without this script (the server renders either mode).
import { readState, writeState } from "../lib/url.js";
import { startPicture } from "./page.js";

const section = document.getElementById("picture");
const links = [...document.querySelectorAll("#mode-switch [data-mode]")];
const PLAYER_KEYS = [" ", "ArrowLeft", "ArrowRight", "Home", "End"];
let picture = null;
let mode = "numbers";

function setMode(next) {
  mode = next === "picture" ? "picture" : "numbers";
  section.hidden = mode !== "picture";
  document.getElementById("app").dataset.mode = mode; // (the CSS also reads the section's hidden: no :has needed)
  links.forEach((a) => (a.dataset.mode === mode ? a.setAttribute("aria-current", "true") : a.removeAttribute("aria-current")));
  writeState({ mode }, { mode: "numbers" });
  if (mode === "picture") {
    picture ??= startPicture();
    picture.enter();
  } else {
    picture?.leave();
  }
}

links.forEach((a) => a.addEventListener("click", (e) => {
  if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return; // a new tab or window: the link
  e.preventDefault();
  setMode(a.dataset.mode);
}));

// The numbers mode's player listens for Space and arrows on the whole document: while the picture is shown, those
// keys stay with the picture (body is the last stop before the document).
document.body.addEventListener("keydown", (e) => {
  if (mode === "picture" && PLAYER_KEYS.includes(e.key)) e.stopPropagation();
});
window.addEventListener("pagehide", () => picture?.leave());

setMode(readState({ mode: "numbers" }).mode);
