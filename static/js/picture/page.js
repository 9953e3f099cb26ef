// "Your picture" on /conv: the sources, the kernel form, the session (the request and its calls) and the view,
// put together. Created the first time the mode is shown (static/js/picture/mode.js).
import { h } from "../lib/dom.js";
import { MatrixEditor } from "../lib/editor.js";
import { showError } from "../lib/errors.js";
import { announce, fmt, onLangChange, t } from "../lib/i18n.js";
import { limits } from "../lib/limits.js";
import { reshape } from "../lib/matrix.js";
import { renderLegend } from "./legend.js";
import { renderPixel } from "./pixel.js";
import { FilterSession } from "./session.js";
import { bindFiles, Webcam } from "./sources.js";
import { PictureView } from "./view.js";

const $ = (id) => document.getElementById(id);
const int = (el, lo, hi, d) => {
  const v = Math.round(Number(el.value));
  return Number.isFinite(v) ? Math.max(lo, Math.min(hi, v)) : d;
};

export function startPicture() {
  const section = $("picture");
  let error = null;
  let markValue = () => {};
  const session = new FilterSession({
    busy: section,
    onPicture(picture) {
      setError(null);
      view.showPicture(picture);
      source();
    },
    onResult(answer) {
      setError(null);
      view.showResult(answer);
      markValue = renderLegend($("pic-legend"), answer);
      markValue(answer.steps?.length === 1 ? answer.step.value : null);
      renderPixel($("pic-pixel"), answer, session.picture);
      form();
      // a pixel picked by a click, a tap or a key is said when its own answer is drawn (not an older pick's that
      // arrived first); one under a moving mouse is not
      const [i, j] = answer.step?.index ?? [];
      if (picked && picked[0] === i && picked[1] === j) {
        announce(t("pic.announce", { i, j, v: answer.steps.map((st) => fmt(st.value)).join(" / ") }));
        picked = null;
      }
    },
    onError(err, stage) {
      setError(err);
      view.clear();
      $("pic-legend").replaceChildren();
      $("pic-pixel").replaceChildren();
      if (stage === "picture") $("pic-figs").hidden = true;
    },
  });
  let picked = null; // the pixel last picked by a click, a tap or a key, until its answer is said
  const view = new PictureView({ onSelect: (at, { now }) => { picked = now ? at : null; session.select(at, { now }); } });

  function setError(err) {
    error = err;
    showError($("pic-error"), err);
  }

  // ---- sources -----------------------------------------------------------------------------------------
  const webcam = new Webcam({ onFrame: (dataUrl) => use({ kind: "webcam", dataUrl, time: new Date() }) });
  const files = bindFiles({ onFile: (file) => { webcam.stop({ quiet: true }); use({ kind: "file", file, name: file.name }); } });
  const photoButtons = [...section.querySelectorAll("[data-photo]")];
  photoButtons.forEach((b) => b.addEventListener("click", () => {
    webcam.stop({ quiet: true });
    use({ kind: "photo", name: b.dataset.photo });
  }));

  function use(src, options) {
    if (src.kind !== "file") files.cancel();   // a file still being shrunk must not replace this later choice
    $("pic-empty").hidden = true;
    session.setSource(src, options);
    source();
  }

  /** The pressed photo, its credit, and the line under the input naming the picture. */
  function source() {
    const s = session.source;
    photoButtons.forEach((b) => b.setAttribute("aria-pressed", String(s?.kind === "photo" && s.name === b.dataset.photo)));
    const credit = $("pic-credit");
    credit.replaceChildren();
    if (s?.kind === "photo") {
      credit.append(t(`pic.credit.${s.name}`), " ", h("a", { href: "/static/img/photos/LICENSES.md" }, t("pic.credit_link")));
    }
    const line = !s ? "" : s.kind === "photo" ? t("pic.source.photo", { name: t(`pic.photo.${s.name}`) })
      : s.kind === "file" ? t("pic.source.file", { name: s.name })
        : t("pic.source.webcam", { time: s.time.toLocaleTimeString(document.documentElement.lang) });
    $("pic-source").textContent = line;
  }

  // ---- the kernel and the options ----------------------------------------------------------------------
  const K = limits.filter.max_k;
  const editor = new MatrixEditor($("pic-k-editor"), {
    text: "pic-k", maxRows: K, maxCols: K, maxAbs: limits.conv.max_abs, wide: true, label: () => t("pic.kernel_label"),
    onChange: (m) => custom(m),
  });
  /** The kernel on screen: the user's numbers, or the preset's as the API used them. */
  const shown = () => session.opts.kernel ?? (session.answer?.preset === session.opts.preset ? session.answer.kernel : null);

  function custom(m) {
    session.set({ preset: null, kernel: m });
    form();
  }

  function form() {
    const o = session.opts;
    $("pic-preset").value = o.preset ?? "";
    $("pic-about").textContent = o.preset ? t(`pic.about.${o.preset}`) : t("pic.about.custom", { k: K });
    const k = shown();
    if (k) {
      editor.set(k);
      $("pic-k-rows").value = k.length;
      $("pic-k-cols").value = k[0].length;
    }
    $("pic-side").value = String(o.side);
    $("pic-color").value = o.channels;
    $("pic-padding").value = o.padding;
    $("pic-stride").value = String(o.stride);
  }

  $("pic-preset").addEventListener("change", () => {
    const v = $("pic-preset").value;
    if (v) session.set({ preset: v, kernel: null });
    else session.set({ preset: null, kernel: shown() ?? [[0, 0, 0], [0, 1, 0], [0, 0, 0]] });
    form();
  });
  const resize = () => {
    const k = shown() ?? [[0]];
    custom(reshape(k, int($("pic-k-rows"), 1, K, k.length), int($("pic-k-cols"), 1, K, k[0].length)));
  };
  $("pic-k-rows").addEventListener("change", resize);
  $("pic-k-cols").addEventListener("change", resize);
  const option = (id, read) => $(id).addEventListener("change", () => { session.set(read($(id).value)); form(); });
  option("pic-side", (v) => ({ side: Number(v) }));
  option("pic-color", (v) => ({ channels: v }));
  option("pic-padding", (v) => ({ padding: v }));
  option("pic-stride", (v) => ({ stride: Number(v) }));

  onLangChange(() => {
    form();
    source();
    files.again();
    webcam.note.again();
    showError($("pic-error"), error);
    const a = session.answer;
    if (session.picture) view.showPicture(session.picture);
    if (a) {
      view.showResult(a);
      markValue = renderLegend($("pic-legend"), a);
      markValue(a.steps?.length === 1 ? a.step.value : null);
      renderPixel($("pic-pixel"), a, session.picture);
    }
  });

  const first = session.load();
  // what a link asks for, kept to what this page offers (the API would refuse other presets; the menus have no
  // other sizes and strides)
  const offered = (id) => [...$(id).options].map((o) => o.value);
  const o = session.opts;
  if (o.preset && !offered("pic-preset").includes(o.preset)) o.preset = "sobel_x";
  if (!offered("pic-side").includes(String(o.side))) o.side = 128;
  if (!offered("pic-stride").includes(String(o.stride))) o.stride = 1;
  form();
  let started = false;
  return {
    enter() {
      if (!started) { started = true; use({ kind: "photo", name: first }, { keep: true }); }
      else if (!session.answer) session.run(); // a call dropped when the mode was left
    },
    leave() {
      webcam.stop({ quiet: true });
      session.stop();
    },
  };
}
