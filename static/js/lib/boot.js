// Runs on every page: the language toggle, and the remembered language when the server guessed another;
// presenter mode, the keyboard shortcuts' list and the lesson links' "copy link" buttons.
import { currentLang, setLang, toggleLang } from "./i18n.js";
import { startLesson } from "./lesson.js";
import { startPresenter } from "./present.js";
import { startShortcuts } from "./shortcuts.js";

document.getElementById("lang-toggle")?.addEventListener("click", () => toggleLang());
document.querySelector("title")?.setAttribute("data-i18n-title", document.body.dataset.titleKey || "");

let saved = null;
try { saved = localStorage.getItem("lang"); } catch { /* private mode */ }
const fromUrl = new URL(location.href).searchParams.get("lang");
if (!fromUrl && saved && saved !== currentLang()) setLang(saved);

startPresenter();
startShortcuts();
startLesson();

// On a narrow screen the navigation is one scrollable row: keep the current page's link in view.
const current = document.querySelector(".nav-links [aria-current='page']");
if (current && current.parentElement.parentElement.scrollWidth > current.parentElement.parentElement.clientWidth) {
  const row = current.closest(".nav-links");
  row.scrollLeft = current.offsetLeft - row.clientWidth / 2 + current.offsetWidth / 2;
}
