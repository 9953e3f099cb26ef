// Where a picture comes from: a bundled photo (one click), a file (the file field, or dropped on the drop box or
// on the input picture) or the webcam. The camera is asked for only when the user clicks "Use the webcam", a
// still frame goes to the API only when they take it, and the camera stops when they stop it, pick another
// picture or leave the mode.
import { limits } from "../lib/limits.js";
import { t } from "../lib/i18n.js";
import { MAX_DECODE, MB, prepared } from "../lib/pictures.js";

const $ = (id) => document.getElementById(id);

/** Words in a status line, kept as [key, values] so a language switch can say them again. */
class Note {
  constructor(el) { this.el = el; this.said = null; }
  say(key, values = {}) { this.said = key ? [key, values] : null; this.el.textContent = key ? t(key, values) : ""; }
  again() { if (this.said) this.say(...this.said); }
}

/** A data URL's bytes as a File named `name`. */
function fileOf(dataUrl, name) {
  const comma = dataUrl.indexOf(",");
  const type = dataUrl.slice(5, dataUrl.indexOf(";"));
  const bytes = Uint8Array.from(atob(dataUrl.slice(comma + 1)), (c) => c.charCodeAt(0));
  return new File([bytes], name, { type });
}

/** The file field and the drop targets; onFile(file) gets a file the API may take. A picture larger than the API
 * takes (a phone's 48-megapixel photo, a WebP over 2048×2048 pixels) is shrunk here first, and one in a format it
 * does not read (GIF, BMP, AVIF, ... whatever this browser decodes) is converted to PNG, as on /draw; the note says
 * so with both sizes. -> { again() (the note in the page's language), cancel() (drop a file still being read: the
 * user chose a bundled photo or a webcam still meanwhile) }. */
export function bindFiles({ onFile }) {
  const note = new Note($("pic-file-msg"));
  let seq = 0;   // a slow shrink must not overwrite a later choice
  const take = async (file) => {
    if (!file) return;
    const mine = ++seq;
    const max = limits.filter.max_upload_bytes;
    const { unopened, type, small, sizes, deep, tooBig } = await prepared(file, { maxSide: limits.filter.max_image_side,
      maxBytes: max, webpPixels: limits.filter.max_webp_pixels });
    if (mine !== seq) return;
    if (unopened) {
      note.say("pic.file_too_big_to_open", { name: file.name, size: MB(file.size), max: MB(MAX_DECODE) });
      return;
    }
    if (!type && !small) { note.say("pic.not_image", { name: file.name }); return; }
    if (tooBig) { note.say("pic.file_too_big", { name: file.name, size: MB(file.size), max: MB(max) }); return; }
    // a file taken as it is is named too: on a phone its pictures are far below the button (nothing near it changed)
    note.say(!small ? "pic.taken" : deep ? "pic.deep" : type ? "pic.shrunk" : "pic.converted",
      sizes ? { ...sizes, max: limits.filter.max_image_side, mb: MB(max) } : { name: file.name });
    onFile(small ? fileOf(small.dataUrl, file.name) : file);
  };
  $("pic-file").addEventListener("change", () => { take($("pic-file").files[0]); $("pic-file").value = ""; });
  for (const zone of [$("pic-drop"), $("pic-in-frame")]) {
    zone.addEventListener("dragover", (e) => {
      if (![...(e.dataTransfer?.types || [])].includes("Files")) return;
      e.preventDefault();
      zone.classList.add("dropping");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("dropping"));
    zone.addEventListener("drop", (e) => {
      zone.classList.remove("dropping");
      if (!e.dataTransfer?.files?.length) return;
      e.preventDefault();
      take(e.dataTransfer.files[0]);
    });
  }
  return { again: () => note.again(), cancel: () => { seq += 1; note.say(null); } };   // another picture: no file
}

export class Webcam {
  /** onFrame(dataUrl): a still frame (JPEG) taken by the user. */
  constructor({ onFrame }) {
    this.onFrame = onFrame;
    this.video = $("pic-video");
    this.note = new Note($("pic-cam-msg"));
    this.stream = null;
    this.asking = 0; // bumped by stop(): a camera granted after the user left is stopped at once
    $("pic-cam-start").addEventListener("click", () => this.start());
    $("pic-cam-take").addEventListener("click", () => this.take());
    $("pic-cam-stop").addEventListener("click", () => this.stop());
  }

  get on() { return Boolean(this.stream); }

  async start() {
    if (this.stream) return;
    if (!navigator.mediaDevices?.getUserMedia) {
      this.note.say(window.isSecureContext ? "pic.cam_unsupported" : "pic.cam_insecure");
      return;
    }
    const ask = ++this.asking;
    this.note.say("pic.cam_asking");
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
    } catch (err) {
      if (ask !== this.asking) return;
      const name = err?.name;
      this.note.say(name === "NotAllowedError" || name === "SecurityError" ? "pic.cam_denied"
        : name === "NotFoundError" || name === "OverconstrainedError" ? "pic.cam_none" : "pic.cam_failed");
      return;
    }
    if (ask !== this.asking) { stream.getTracks().forEach((track) => track.stop()); return; }
    this.stream = stream;
    this.video.srcObject = stream;
    this.video.hidden = false;
    try { await this.video.play(); } catch { /* a muted inline video plays; nothing to do if it does not */ }
    this.buttons(true);
    this.note.say("pic.cam_on");
  }

  /** The current frame, at the camera's own size, as a JPEG data URL for the API. */
  take() {
    const v = this.video;
    if (!this.stream || !v.videoWidth) return;
    const canvas = document.createElement("canvas");
    canvas.width = v.videoWidth;
    canvas.height = v.videoHeight;
    canvas.getContext("2d").drawImage(v, 0, 0);
    this.note.say("pic.cam_taken");
    this.onFrame(canvas.toDataURL("image/jpeg", 0.92));
  }

  stop({ quiet = false } = {}) {
    this.asking += 1;
    if (!this.stream) return;
    this.stream.getTracks().forEach((track) => track.stop());
    this.stream = null;
    this.video.srcObject = null;
    this.video.hidden = true;
    this.buttons(false);
    this.note.say(quiet ? null : "pic.cam_off");
  }

  buttons(on) {
    $("pic-cam-start").hidden = on;
    $("pic-cam-take").hidden = !on;
    $("pic-cam-stop").hidden = !on;
  }
}
