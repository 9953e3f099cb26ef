// Opening a model: a dropped or chosen .keras / .h5 file, or a sample fetched first (the app's MNIST CNN from
// GET /api/mnist/model.keras, the bundled SimpleRNN and LSTM from static/models/), sent as multipart to
// POST /api/models. The answer is the model's summary, or the API's error.
import { limits } from "../lib/limits.js";

export const SAMPLES = { mnist: "/api/mnist/model.keras" };   // the recurrent ones come from static/models/samples.json

export async function uploadModel(blob, filename) {
  if (blob.size > limits.models.max_upload) {
    return { ok: false, error: { code: "file_too_large", field: "file", rule: "", status: 413 } };
  }
  const form = new FormData();
  form.append("file", blob, filename);
  let res;
  try {
    res = await fetch("/api/models", { method: "POST", body: form });
  } catch (err) {
    return { ok: false, error: { field: null, rule: String(err), message: String(err) } };
  }
  const data = await res.json().catch(() => null);
  if (res.ok && data) return { ok: true, data };
  return { ok: false, status: res.status, error: data?.error || { field: null, rule: res.statusText, message: res.statusText } };
}

/** The bytes of a sample (a Blob), or null when it cannot be fetched. */
export async function fetchSample(url) {
  try {
    const res = await fetch(url);
    return res.ok ? await res.blob() : null;
  } catch {
    return null;
  }
}

/** Files dropped on `zone` (or on the whole `area`) go to onFile(file); the zone shows when something is over it. */
export function dropZone(zone, area, onFile) {
  const over = (on) => zone.classList.toggle("over", on);
  area.addEventListener("dragover", (e) => { e.preventDefault(); e.dataTransfer.dropEffect = "copy"; over(true); });
  area.addEventListener("dragleave", (e) => { if (!area.contains(e.relatedTarget)) over(false); });
  area.addEventListener("drop", (e) => {
    e.preventDefault();
    over(false);
    const file = e.dataTransfer?.files?.[0];
    if (file) onFile(file);
  });
}
