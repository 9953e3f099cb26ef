// Strings for the current language. The server embeds the page's table in #i18n-data; switching
// language loads static/i18n/<lang>.json and static/i18n/<page>.<lang>.json and relabels the page.
import { fit } from "./numfmt.js";

const LANGS = ["en", "zh-TW"];
let table = JSON.parse(document.getElementById("i18n-data")?.textContent || "{}");
let lang = document.documentElement.lang || "en";
const listeners = new Set();

export const currentLang = () => lang;

/** t("player.status", {i: 3, n: 9}) -> "Step 3 of 9". Missing keys come back as the key. */
export function t(key, values) {
  let text = table[key] ?? key;
  if (values) text = text.replace(/\{(\w+)\}/g, (m, name) => (name in values ? String(values[name]) : m));
  return text;
}

/** t() for a count: "<key>_one" when n is 1 and the language has it ("1 real cell"), else key. */
export const tn = (key, n, values = {}) => t(n === 1 && has(`${key}_one`) ? `${key}_one` : key, { n, ...values });

/** Whether the current language has a string for key (for texts keyed by data, e.g. an error code). */
export const has = (key) => Object.prototype.hasOwnProperty.call(table, key);

/** Relabel every [data-i18n] (textContent) and [data-i18n-attr="attr:key;attr:key"] under root. */
export function applyI18n(root = document) {
  root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll("[data-i18n-attr]").forEach((el) => {
    for (const pair of el.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":");
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
    }
  });
}

async function load(next) {
  const page = document.body.dataset.page;
  const get = (url) => fetch(url).then((r) => (r.ok ? r.json() : {})).catch(() => ({}));
  const own = "pageStrings" in document.body.dataset ? get(`/static/i18n/${page}.${next}.json`) : {};
  const [common, mine] = await Promise.all([get(`/static/i18n/${next}.json`), own]);
  return { ...common, ...mine };
}

/** Remember a language for the next pages: a cookie for the server, localStorage for the browser. */
export function rememberLang(next) {
  if (!LANGS.includes(next)) return;
  document.cookie = `lang=${next}; path=/; max-age=31536000; SameSite=Lax`;
  try { localStorage.setItem("lang", next); } catch { /* private mode */ }
}

/** Switch language, remember it, relabel. */
export async function setLang(next) {
  if (!LANGS.includes(next) || next === lang) return;
  table = await load(next);
  lang = next;
  document.documentElement.lang = next;
  rememberLang(next);
  const url = new URL(location.href);
  if (url.searchParams.has("lang")) { url.searchParams.set("lang", next); history.replaceState(null, "", url); }
  const title = document.querySelector("title");
  if (title?.dataset.i18nTitle) title.textContent = `${t(title.dataset.i18nTitle)} · ${t("site.name")}`;
  applyI18n();
  listeners.forEach((fn) => fn(next));
}

export const toggleLang = () => setLang(lang === "en" ? "zh-TW" : "en");

/** Call fn(lang) after every switch, to redraw text that the page builds itself. */
export function onLangChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

/** A number in running text (formulas, facts, announcements): lib/numfmt.js's rule with no width limit, at
 * most `digits` decimals (or 3 significant digits in exponent notation): 0.0001 "0.0001", 0.00001 "1e-5",
 * tanh(5) "0.9999", never "1". */
export const fmt = (x, digits = 4) => fit(x, Infinity, digits);

export function announce(text) {
  const live = document.getElementById("live");
  if (live) live.textContent = text;
}
