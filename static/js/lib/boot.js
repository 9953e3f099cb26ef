// Runs on every page: the language toggle, and the remembered language when the server guessed another;
// presenter mode, the keyboard shortcuts' list, the lesson links' "copy link" buttons and the scroll cues.
import { currentLang, rememberLang, setLang, toggleLang } from "./i18n.js";
import { startLesson } from "./lesson.js";
import { startPresenter } from "./present.js";
import { startScrollCues } from "./scroll.js";
import { startShortcuts } from "./shortcuts.js";

document.getElementById("lang-toggle")?.addEventListener("click", () => toggleLang());
document.querySelector("title")?.setAttribute("data-i18n-title", document.body.dataset.titleKey || "");

let saved = null;
try { saved = localStorage.getItem("lang"); } catch { /* private mode */ }
const fromUrl = new URL(location.href).searchParams.get("lang");
if (!fromUrl && saved && saved !== currentLang()) setLang(saved);
// a lesson link's ?lang= (the server rendered it): kept for the pages its links lead to, which carry no ?lang=
if (fromUrl && fromUrl === currentLang()) rememberLang(fromUrl);

startPresenter();
startShortcuts();
startLesson();
startScrollCues();

// On a phone the navigation's links sit behind the Menu button (static/css/app.css); Escape closes it.
const menu = document.getElementById("menu-toggle");
const nav = menu?.closest(".nav");
function openMenu(open) {
  nav.classList.toggle("open", open);
  menu.setAttribute("aria-expanded", String(open));
}
menu?.addEventListener("click", () => openMenu(!nav.classList.contains("open")));
nav?.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && nav.classList.contains("open")) { openMenu(false); menu.focus(); }
});
