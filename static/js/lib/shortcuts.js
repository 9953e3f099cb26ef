// Keyboard shortcuts on every page: `?` opens their list (a modal dialog: focus moves in, Escape closes it,
// focus goes back where it was), `P` switches presenter mode. Keys typed in a field stay in the field.
// The player's own keys (Space, ←/→, Home/End) live in player.js; this list only names them.
import { h } from "./dom.js";
import { onLangChange, t } from "./i18n.js";
import { togglePresenting } from "./present.js";

const ARROWS = ["←", "↑", "→", "↓"];
/** The keys of each page's own widgets: [keys, text key]. A key is a label, or [label, i18n key]. */
export const PAGE_KEYS = {
  conv: [[ARROWS, "keys.grid"], [["Enter", ["Space", "keys.space"]], "keys.grid_open"], [[...ARROWS, "Enter"], "keys.editor"]],
  backprop: [[ARROWS, "keys.grid"], [["Enter", ["Space", "keys.space"]], "keys.grid_open"], [[...ARROWS, "Enter"], "keys.editor"]],
  pool: [[ARROWS, "keys.grid"], [["Enter", ["Space", "keys.space"]], "keys.grid_open"], [[...ARROWS, "Enter"], "keys.editor"]],
  rnn: [[[...ARROWS, "Enter"], "keys.editor"]],
  lstm: [[[...ARROWS, "Enter"], "keys.editor"]],
  draw: [[ARROWS, "keys.maps"], [["[", "]"], "keys.maps_turn"], [["Enter"], "keys.maps_open"]],
  activations: [[["←", "→"], "keys.point"], [[["Shift", "keys.shift"], "←", "→"], "keys.point_far"],
    [["Page Up", "Page Down"], "keys.point_one"], [["Home", "End"], "keys.point_ends"]],
  architectures: [[["↑", "↓"], "keys.layers"], [["Page Up", "Page Down"], "keys.layers_ten"], [["Home", "End"], "keys.layers_ends"]],
};
const PLAYER_KEYS = [[[["Space", "keys.space"]], "keys.play"], [["←", "→"], "keys.step"], [["Home", "End"], "keys.ends"]];
const ANY_KEYS = [[["?"], "keys.help"], [["P"], "keys.present"], [["Esc"], "keys.escape"]];

export const isTyping = (el) => Boolean(el) && (el.isContentEditable
  || (el.tagName === "INPUT" && !["button", "checkbox", "radio", "range", "submit", "reset", "file", "color"].includes(el.type))
  || ["TEXTAREA", "SELECT"].includes(el.tagName));

let dialog = null;
let opener = null;

function table(rows) {
  return h("table", { class: "keys-table" }, [h("tbody", {}, rows.map(([keys, text]) => h("tr", {}, [
    h("th", { scope: "row" }, keys.flatMap((k, i) => [i ? " " : null, h("kbd", {}, Array.isArray(k) ? t(k[1]) : k)]).filter(Boolean)),
    h("td", {}, t(text)),
  ])))]);
}

function fill() {
  const own = PAGE_KEYS[document.body.dataset.page] ?? [];
  const close = h("button", { type: "button", class: "primary", autofocus: true }, t("keys.close"));
  close.addEventListener("click", () => dialog.close());
  const player = document.querySelector(".player");
  dialog.replaceChildren(...[
    h("h2", { id: "keys-h" }, t("keys.title")),
    player && h("h3", {}, t("keys.player_h")), player && table(PLAYER_KEYS),
    own.length && h("h3", {}, t("keys.page_h")), own.length && table(own),
    h("h3", {}, t("keys.any_h")), table(ANY_KEYS),
    h("p", { class: "muted" }, t("keys.fields")),
    h("div", { class: "keys-buttons" }, [close]),
  ].filter(Boolean));
}

export function openShortcuts() {
  if (!dialog) {
    dialog = h("dialog", { class: "keys-dialog", "aria-labelledby": "keys-h" });
    dialog.addEventListener("keydown", (e) => { if (e.key !== "Escape") e.stopPropagation(); }); // no player keys behind it
    dialog.addEventListener("click", (e) => { if (e.target === dialog) dialog.close(); }); // a click on the backdrop
    dialog.addEventListener("close", () => {  // (a task after close(): focus moved meanwhile stays where it went)
      const now = document.activeElement;
      const lost = !now || now === document.body || dialog.contains(now);
      if (opener?.isConnected && lost) opener.focus({ preventScroll: true });
      opener = null;
    });
    document.body.append(dialog);
    onLangChange(() => { if (dialog.open) fill(); });
  }
  if (dialog.open) return;
  opener = document.activeElement && document.activeElement !== document.body ? document.activeElement : null;
  fill();
  dialog.showModal();
}

export function startShortcuts() {
  document.getElementById("keys-open")?.addEventListener("click", openShortcuts);
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target) || dialog?.open) return;
    if (e.key === "?") { e.preventDefault(); openShortcuts(); }
    else if (e.key === "p" || e.key === "P") { e.preventDefault(); togglePresenting(); }
  });
}
