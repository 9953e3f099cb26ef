// The input a model gets, chosen by what the API says suits it (summary.input_kind): the drawing pad of /draw
// (or a picture) for image models, the matrix editor for sequences ((T, d) rows), tokens and short vectors, JSON
// text for anything else. body() is the request's input part; the server does every conversion (rasterising,
// MNIST preprocessing, resizing, scaling).
import { limits } from "../lib/limits.js";
import { t } from "../lib/i18n.js";
import { h } from "../lib/dom.js";
import { MatrixEditor } from "../lib/editor.js";
import { reshape } from "../lib/matrix.js";
import { MAX_POINTS, Pad } from "../draw/pad.js";
import { MAX_DECODE, MB, prepared, readDataUrl } from "../lib/pictures.js";

const SIZE = 280;                               // the pad's own units, as on /draw
const MAX_FILE = Math.floor((limits.models.max_json_bytes - 1024) * 3 / 4);   // a data URL inside the JSON cap
const $ = (id) => document.getElementById(id);
const round2 = (v) => Math.round(v * 100) / 100;

/** A small seeded generator (mulberry32), so "Random" gives the same numbers after a reload of the same seed. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export class InputPanel {
  /** onChange({live}): the input changed (live: while a stroke is being drawn). */
  constructor({ onChange }) {
    this.onChange = onChange;
    this.summary = null;
    this.kind = null;               // "strokes" | "image" | "matrix" | "json"
    this.digits = null;             // /draw's sample strokes
    this.digit = 3;                 // the next sample digit
    this.onPad = null;              // the sample digit on the pad while nothing has been drawn over it
    this.replaced = null;           // {digit, strokes}: the sample the first stroke replaced, for Undo
    this.seed = 1;
    this.fileSeq = 0;               // the latest picture chosen (or drawing started): picture() keeps only its own
    this.pad = new Pad($("pad"), {
      size: SIZE,
      onDraw: () => { this.replaceSample(); this.usePad(); this.onChange({ live: true }); },
      onStrokeEnd: () => this.onChange({ live: false }),
      onLimit: () => this.note("model.pad.too_many", { n: MAX_POINTS.toLocaleString("en"), s: limits.mnist.max_strokes }),
    });
    $("undo").addEventListener("click", () => { this.usePad(); this.undo(); this.onChange({}); });
    $("clear").addEventListener("click", () => { this.usePad(); this.clear(); this.onChange({}); });
    $("sample-digit").addEventListener("click", () => this.sampleDigit());
    $("picture").addEventListener("change", () => this.picture());
    $("preprocess").addEventListener("change", () => this.kind === "image" && this.onChange({}));
    $("value-scale").addEventListener("change", () => this.onChange({}));
    $("random").addEventListener("click", () => { this.seed += 1; this.setMatrix(this.random()); });
    $("zeros").addEventListener("click", () => this.setMatrix(this.filled(() => 0)));
    $("example").addEventListener("click", () => this.sample && this.setMatrix(this.sample.input));
    $("rows").addEventListener("change", () => {
      const n = Math.max(1, Math.min(limits.models.max_dim, Math.round(Number($("rows").value)) || 1));
      this.setMatrix(this.rank === 2 ? reshape(this.matrix, n, this.cols(), 0) : reshape(this.matrix, 1, n, 0));
    });
    this.editor = null;
  }

  // ---- which input --------------------------------------------------------------------------------------
  /** A new model: its summary, and the bundled sample's {input, keras_output} when it is one. */
  async setModel(summary, sample = null) {
    this.summary = summary;
    this.sample = sample;
    this.seed = 1;
    this.matrix = null;
    const image = summary.input_kind === "image";
    $("image-input").hidden = !image;
    $("array-input").hidden = image;
    $("sees").hidden = true;
    this.note(null);
    if (image) {
      const first = summary.layers[1]?.class_name;
      $("value-scale").value = first === "Rescaling" ? "0..255" : "0..1";
      this.hint("model.input.hint_image", { h: summary.image.height ?? "H", w: summary.image.width ?? "W" });
      if (!this.digits) {
        const res = await fetch("/static/js/draw/samples.json").then((r) => (r.ok ? r.json() : null)).catch(() => null);
        this.digits = res?.digits || {};
      }
      this.sampleDigit(false);
      return;
    }
    const shape = summary.input_shape;
    this.rank = shape.length;
    if (this.rank > 2) { this.setJson(); return; }
    this.kind = "matrix";
    const tokens = summary.input_kind === "tokens";
    this.hint(tokens ? "model.input.hint_tokens" : this.rank === 2 ? "model.input.hint_sequence" : "model.input.hint_vector",
      { shape: shape.map((d) => d ?? "T").join(" × "), n: summary.layers[1]?.config?.input_dim ?? "?" });
    const free = shape[0] === null;
    $("rows-label").hidden = !free;                // a free length (T): a field for it
    $("example").hidden = !sample;
    $("array-input").querySelector(".editor-box").hidden = false;
    $("array-input").querySelector(".as-text").hidden = false;
    $("json-box")?.remove();
    this.makeEditor();
    const cols = this.cols();
    Object.assign(this.editor.o, {
      maxRows: this.rank === 1 ? 1 : shape[0] ?? limits.models.max_dim,
      maxCols: this.rank === 1 ? shape[0] ?? limits.models.max_dim : cols,
      digits: tokens ? 0 : 4,
    });
    this.editor.root.classList.toggle("wide", !tokens);     // room for "-0.4123" in every field
    this.setMatrix(sample ? sample.input : this.random(), false);
  }

  hint(key, values) { $("input-hint").textContent = t(key, values); this.hintKey = [key, values]; }
  note(key, values) { this.noteKey = key ? [key, values] : null; $("image-note").textContent = key ? t(key, values) : ""; }

  relabel() {
    if (this.hintKey) this.hint(...this.hintKey);
    if (this.noteKey) this.note(...this.noteKey);
    if (this.editor && this.kind === "matrix") this.editor.set(this.matrix);
  }

  // ---- pictures ---------------------------------------------------------------------------------------
  usePad() {
    this.fileSeq += 1;   // a picture still being read is dropped
    if (this.kind !== "strokes") { this.kind = "strokes"; this.note(null); }
  }

  /** A sample is an example to look at, not a start to draw on: a 7 drawn over a sample 3 still reads as 3. So
   * the first stroke takes the sample's place (as the note says), and Undo of that stroke brings it back. */
  replaceSample() {
    if (this.onPad === null || !this.pad.current) return;
    this.replaced = { digit: this.onPad, strokes: this.pad.strokes.slice(0, -1) };
    this.onPad = null;
    this.pad.strokes = [this.pad.current];       // the stroke just begun, alone
    this.pad.render();
    this.note(null);
  }

  forgetSample() { this.onPad = null; this.replaced = null; }

  /** Undo: a sample nobody drew goes as a whole (not stroke by stroke); the stroke that replaced one gives it back. */
  undo() {
    if (this.onPad !== null) this.clear();
    else if (this.replaced && this.pad.strokes.length === 1) this.showSample(this.replaced.digit, this.replaced.strokes);
    else this.pad.undo();
  }

  clear() {
    this.forgetSample();
    this.pad.clear();
    this.note(null);                             // nor "a sample is on the pad" when none is
  }

  showSample(digit, strokes) {
    this.kind = "strokes";
    this.pad.setStrokes(strokes);
    this.onPad = digit;
    this.replaced = null;
    this.note("model.pad.sample_loaded", { d: digit });
  }

  sampleDigit(notify = true) {
    const strokes = this.digits?.[this.digit];
    this.kind = "strokes";
    if (strokes) {
      this.showSample(this.digit, strokes);
      this.digit = (this.digit + 4) % 10;
    }
    if (notify) this.onChange({});
  }

  /** A chosen picture, as on /draw: one larger than the API takes (a phone's photo) is shrunk by the browser first,
   * one in a format the API does not read is converted to PNG; a file the browser cannot open goes as it is, and the
   * API's answer says why it cannot be read. */
  async picture() {
    const file = $("picture").files[0];
    if (!file) return;
    const seq = ++this.fileSeq;   // a slower file still being read must not replace a later choice
    const { unopened, type, small, sizes, deep, tooBig } = await prepared(file,
      { maxSide: limits.models.max_image_side, maxBytes: MAX_FILE });   // (converted to PNG, shrunk: as on /draw)
    if (seq !== this.fileSeq) return;
    if (unopened || tooBig) {
      this.note("model.image.too_big", { size: MB(file.size), max: MB(unopened ? MAX_DECODE : MAX_FILE) });
      return;
    }
    const dataUrl = small ? small.dataUrl : await readDataUrl(file, type ?? (file.type || "application/octet-stream"));
    if (seq !== this.fileSeq) return;
    this.dataUrl = dataUrl;
    const img = new Image();
    img.onload = () => this.pad.setImage(img);
    img.src = this.dataUrl;
    this.forgetSample();
    this.kind = "image";
    if (small) this.note(deep ? "model.image.deep" : type ? "model.image.shrunk" : "model.image.converted", sizes);
    else this.note("model.image.loaded", { name: file.name });
    this.onChange({});
  }

  // ---- numbers ----------------------------------------------------------------------------------------
  cols() {
    const s = this.summary.input_shape;
    return this.rank === 2 ? s[1] : s[0] ?? this.matrix?.[0]?.length ?? 8;
  }

  makeEditor() {
    if (this.editor) return;
    this.editor = new MatrixEditor($("input-editor"), {
      label: () => t("model.seq.label"),
      rowLabel: (r) => (this.rank === 2 ? `t=${r}` : null),
      colLabel: (c) => (this.rank === 2 ? `x${c}` : `t=${c}`),
      maxAbs: limits.models.max_abs,
      maxCells: 600,
      text: "input",
      onChange: (m) => this.setMatrix(m),
    });
  }

  filled(fn) {
    const s = this.summary.input_shape;
    const rows = this.rank === 2 ? (s[0] ?? this.matrix?.length ?? 8) : 1;
    return Array.from({ length: rows }, () => Array.from({ length: this.cols() }, fn));
  }

  random() {
    const rnd = generator(this.seed * 7919 + this.summary.input_shape.length);
    if (this.summary.input_kind === "tokens") {
      const n = this.summary.layers[1]?.config?.input_dim ?? 10;
      return this.filled(() => Math.floor(rnd() * n));
    }
    return this.filled(() => round2(rnd() * 2 - 1));
  }

  /** A matrix from the editor, a paste, a button or a sample: fitted to the model's fixed axes, then sent. */
  setMatrix(m, notify = true) {
    const s = this.summary.input_shape;
    const rows = this.rank === 2 ? (s[0] ?? m.length) : 1;
    const cols = this.rank === 1 && s[0] === null ? m[0].length : this.cols();   // a free length: as given
    this.matrix = reshape(m, rows, cols, 0);
    $("rows").value = String(this.rank === 2 ? rows : cols);
    this.editor.set(this.matrix);
    if (notify) this.onChange({});
  }

  /** Inputs of rank 3 and more that are not pictures: JSON text. */
  setJson() {
    this.kind = "json";
    this.hint("model.input.hint_json", { shape: this.summary.input_shape.map((d) => d ?? "n").join(" × ") });
    $("rows-label").hidden = true;
    $("example").hidden = true;
    $("array-input").querySelector(".editor-box").hidden = true;
    $("array-input").querySelector(".as-text").hidden = true;
    $("json-box")?.remove();
    const shape = this.summary.input_shape.map((d) => d ?? 4);
    const rnd = generator(this.seed);
    const make = (k) => (k === shape.length ? round2(rnd() * 2 - 1) : Array.from({ length: shape[k] }, () => make(k + 1)));
    this.json = make(0);
    const area = h("textarea", { id: "json-text", rows: "6", spellcheck: "false", "aria-label": t("model.seq.label") });
    area.value = JSON.stringify(this.json);
    const apply = h("button", { type: "button", id: "json-apply" }, t("editor.apply"));
    const msg = h("p", { class: "error", role: "alert", hidden: true });
    apply.addEventListener("click", () => {
      try {
        this.json = JSON.parse(area.value);
        msg.hidden = true;
        this.onChange({});
      } catch {
        msg.hidden = false;
        msg.textContent = t("editor.error_syntax");
      }
    });
    $("array-input").append(h("div", { id: "json-box", class: "json-box" }, [area, apply, msg]));
  }

  // ---- the request ------------------------------------------------------------------------------------
  /** The input part of a predict or trace request; null while there is nothing to send (an empty pad). */
  body() {
    if (!this.summary) return null;
    const scale = $("value-scale").value;
    const value_scale = scale === "0..1" ? undefined : scale;
    if (this.kind === "strokes") {
      if (!this.pad.strokes.length) return null;
      return { strokes: this.pad.strokes, width: SIZE, height: SIZE, value_scale };
    }
    if (this.kind === "image") return { image: this.dataUrl, preprocess: $("preprocess").value, value_scale };
    if (this.kind === "json") return { input: this.json };
    return { input: this.rank === 1 ? this.matrix[0] : this.matrix };
  }

  /** What the user typed (the first layer's input, for a trace's picture), or null for pictures. */
  given() {
    if (this.kind === "json") return this.json;
    if (this.kind === "matrix") return this.rank === 1 ? this.matrix[0] : this.matrix;
    return null;
  }
}
