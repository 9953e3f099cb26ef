// The "Download GIF" button of /conv and /pool: the page's current request (the session's body, what the page
// posts to /api/conv2d or /api/pool) goes to the same endpoint's /animation twin with format "gif" and the
// page's language; the GIF that comes back is saved as a file (conv2d.gif or pool.gif).
import { currentLang, has, t } from "../lib/i18n.js";

const $ = (id) => document.getElementById(id);

/** Wire #download-gif to the session (a TraceSession: endpoint and body()). */
export function downloadButton(session) {
  const button = $("download-gif"), status = $("download-status");
  if (!button) return;
  const name = session.endpoint.endsWith("/pool") ? "pool.gif" : "conv2d.gif";
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = t("download.busy");
    try {
      const res = await fetch(`${session.endpoint}/animation`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...session.body(), format: "gif", lang: currentLang() }),
      });
      if (!res.ok) {
        const error = (await res.json().catch(() => null))?.error;
        const code = error?.code && `error.code.${error.code}`;
        const said = code && has(code) ? t(code, { field: error.field || "-" }) : error?.rule ?? res.statusText;
        status.textContent = t("download.failed", { rule: said });
        status.title = error?.rule ?? ""; // the engine's English rule
        return;
      }
      status.title = "";
      save(await res.blob(), name);
      status.textContent = t("download.done", {
        name, frames: res.headers.get("x-animation-frames"), steps: res.headers.get("x-animation-steps"),
      });
    } catch (err) { // no answer at all: said in the page's language, the browser's own words as the tooltip
      const said = has("error.code.network_error") ? t("error.code.network_error") : String(err);
      status.textContent = t("download.failed", { rule: said });
      status.title = String(err);
    } finally {
      button.disabled = false;
    }
  });
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
