// Page state in the URL, so every view can be reloaded or shared (TensorFlow Playground's state.ts).
// Values are JSON-encoded per key: ?input=[[1,2],[3,4]]&padding="same" reads back exactly.
//
// History: a continuous edit (a typed number, a slider, a step of the player) replaces the URL of the
// history entry on screen; a discrete choice (an example, a layer, a mode, a tab or view) asks for
// writeState(..., { push: true }) and gets an entry of its own, so Back returns to the state before it.
// On Back and Forward (popstate) the page must show its URL's state again: a page that can redraw in place
// registers onUrlChange(keys, restore) for the keys it owns; when another key of the URL changed (a key no
// page registered), the page is loaded again from its URL, which always shows the URL's state.

import { presenterChoice } from "./present.js";

export function readState(defaults) {
  const params = new URLSearchParams(location.search);
  const state = { ...defaults };
  for (const key of Object.keys(defaults)) {
    if (!params.has(key)) continue;
    const raw = params.get(key);
    try { state[key] = JSON.parse(raw); } catch { state[key] = raw; }
  }
  return state;
}

// the query the page shows (written here, or restored after Back/Forward): what a popstate changed is the
// difference to it
let shown = location.search;
const restorers = []; // [{keys: Set, restore}]
// the reader's settings, not the page's state (lib/i18n.js and lib/present.js keep them in the URL): Back keeps
// the language and presenter mode on screen, and an entry that names them gets the ones on screen. Presenter
// mode is the reader's choice from present.js, not the `present` class: on a phone the class is off while the
// choice (a ?present=1 link) stays on, and Back must not turn that link into present=0.
const SETTINGS = ["lang", "present"];
const SHOWN = { lang: () => document.documentElement.lang, present: () => (presenterChoice() ? "1" : "0") };

// brackets and commas stay readable in shared links (?input=[[1,2],[3,4]]); URLSearchParams reads them back
function query(params) {
  const text = params.toString().replace(/%5B/g, "[").replace(/%5D/g, "]").replace(/%2C/g, ",");
  return text ? `?${text}` : "";
}

export function writeState(state, defaults = {}, { push = false } = {}) {
  const params = new URLSearchParams(location.search);
  for (const [key, value] of Object.entries(state)) {
    if (value === undefined || JSON.stringify(value) === JSON.stringify(defaults[key])) params.delete(key);
    else params.set(key, typeof value === "string" ? value : JSON.stringify(value));
  }
  const url = location.pathname + query(params);
  // a choice that leaves the URL as it is (the example already shown) makes no entry
  if (push && url !== location.pathname + location.search) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
  shown = location.search;
}

/** restore() redraws the page from its URL (readState) after Back or Forward changed one of `keys`. */
export function onUrlChange(keys, restore) {
  restorers.push({ keys: new Set(keys), restore });
}

/** The keys whose values differ between two queries. */
function changedKeys(before, after) {
  const a = new URLSearchParams(before), b = new URLSearchParams(after);
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => !SETTINGS.includes(k) && a.getAll(k).join("\n") !== b.getAll(k).join("\n"));
}

/**
 * A field left mid-edit (a number typed, not yet committed by its change event) belongs to the entry left
 * behind: it loses the focus now, and its change event goes nowhere, instead of editing the restored state.
 */
function dropEdit() {
  const field = document.activeElement;
  if (!field?.matches?.("input, select, textarea")) return;
  const stop = (e) => e.stopImmediatePropagation();
  window.addEventListener("change", stop, true);
  field.blur();
  window.removeEventListener("change", stop, true);
}

window.addEventListener("popstate", () => {
  const changed = changedKeys(shown, location.search);
  const params = new URLSearchParams(location.search);
  const stale = SETTINGS.filter((k) => params.has(k) && params.get(k) !== SHOWN[k]());
  if (stale.length) {
    stale.forEach((k) => params.set(k, SHOWN[k]()));
    history.replaceState(history.state, "", location.pathname + query(params) + location.hash);
  }
  shown = location.search;
  if (!changed.length) return; // only the #fragment (or a setting) differs
  if (!changed.every((k) => restorers.some((r) => r.keys.has(k)))) { location.reload(); return; }
  dropEdit();
  restorers.filter((r) => changed.some((k) => r.keys.has(k))).forEach((r) => r.restore());
});
