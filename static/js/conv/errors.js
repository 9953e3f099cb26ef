// An API error in plain words: a localised sentence for the rules a learner meets (kernel larger
// than the padded input, strides with dilation), followed by the engine's own rule as the detail.
import { t } from "../lib/i18n.js";

// The API's machine-readable error codes the pages explain in their own words.
const KNOWN = { kernel_too_large: "error.too_big", pool_too_large: "error.pool_too_big",
  strides_with_dilation: "error.stride_dilation" };

/** Fill `box` with the explanation of `error` ({field, rule, message}); clear it for null. */
export function showError(box, error) {
  box.replaceChildren();
  box.hidden = !error;
  if (!error) return;
  const known = KNOWN[error.code];
  const head = document.createElement("strong");
  head.textContent = t("error.title");
  const text = document.createElement("span");
  text.textContent = " " + (known ? t(known) : t("error.generic", { field: error.field || "-" }));
  const detail = document.createElement("small");
  detail.className = "error-detail";
  detail.textContent = t("error.detail") + " " + (error.rule || error.message || "");
  box.append(head, text, document.createElement("br"), detail);
}

/** The matrix text box's own error (a code from parseMatrix), or none. */
export function showTextError(box, code) {
  box.hidden = !code;
  box.textContent = code ? t(`editor.error_${code}`) : "";
}

/** On the conv and pool pages: explain an API error (or clear it) and hide the stage while it stands. */
export function showStageError(error) {
  showError(document.getElementById("error"), error);
  document.getElementById("stage-grids").hidden = Boolean(error);
  document.getElementById("app").classList.toggle("has-error", Boolean(error));
}
