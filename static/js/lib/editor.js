// One matrix editor for every page: a table of number fields (optionally with row and column headers
// and column blocks coloured by gate) with a roving tabindex (Tab enters and leaves the matrix; arrows
// and Enter move inside it). Typing commits after a short pause (Enter or leaving the cell commits at
// once); a whole matrix pasted into any cell replaces the matrix; a text box edits it as text.
// Numbers follow lib/numfmt.js: the fields are as wide as the widest number needs (up to a cap), a field
// shows the number rounded to its width with the full value as its tooltip, and the full value while it
// has the focus (that is the number being edited).
// A cell whose text is not a number the API takes is not used: the editor says so under the table, in a live
// region, naming the cell and the last valid value it keeps using (the cell points to it with aria-describedby).
import { has, t } from "./i18n.js";
import { h, scrollBehavior } from "./dom.js";
import { matrixText, parseMatrix } from "./matrix.js";
import { count, fit, full, widest } from "./numfmt.js";

const PAUSE_MS = 250; // typing pause before a cell's new value is committed
const SHOWN_CHARS = 16; // a cell's text quoted in the explanation is cut after this many characters
let editors = 0; // for the explanations' ids

export class MatrixEditor {
  /**
   * container: the element the table goes in. options:
   *   label(): the matrix's name (the table's and each cell's accessible name)
   *   rowLabel(r), colLabel(c): header cells (none without them); blocks, blockNames(): column blocks
   *   maxRows, maxCols, maxAbs: what the API takes (a paste or text beyond it is cut, and the editor says so)
   *   maxCells: above it the table gives way to the text box (the editor says why)
   *   digits: decimals shown; wide: wider fields (for weights with many decimals)
   *   text: id prefix of the text box markup (templates/_partials.html matrix_box: <prefix>-text, -apply)
   *   onChange(matrix): a new matrix, typed, pasted or applied as text
   */
  constructor(container, options) {
    this.o = { digits: 4, maxRows: Infinity, maxCols: Infinity, maxAbs: Infinity, maxCells: Infinity, ...options };
    this.table = h("table", { class: "mtable", role: "grid" });
    this.msg = h("p", { class: "error medit-msg", role: "alert", hidden: true });
    // the live region stays in the page (a region added or shown with its text is not always read); the
    // explanation inside it is shown only while a cell is not used
    this.why = h("p", { class: "error medit-msg medit-invalid", id: `medit-invalid-${++editors}`, hidden: true });
    this.live = h("div", { class: "medit-live", role: "status" }, [this.why]);
    // after a change, when the page's stage (what the change redraws) is off the screen: a way back up to it (on a
    // phone the stage is 1,300-4,900 px above the editors, and nothing near the cell showed the change)
    this.back = h("button", { type: "button", class: "medit-back", hidden: true, "data-i18n": "editor.see_result" },
      t("editor.see_result"));
    this.back.addEventListener("click", () => this.toStage());
    this.root = h("div", { class: `medit${this.o.wide ? " wide" : ""}` },
      [this.table, this.msg, this.live, this.back]);
    container.append(this.root);
    this.matrix = [[0]];
    this.chars = 3;
    this.inputs = null;
    this.shapeKey = null;
    this.focus = [0, 0];
    this.timer = null;
    this.dirty = false;
    this.kept = null;     // {r, c, v}: the committed value of the cell being typed in, while it is dirty
    this.whyTimer = null; // the explanation waits for the typing pause
    this.table.addEventListener("keydown", (e) => this.onKey(e));
    this.table.addEventListener("input", (e) => this.onInput(e.target));
    this.table.addEventListener("change", () => this.commit()); // leaving an edited cell
    this.table.addEventListener("paste", (e) => this.onPaste(e));
    this.table.addEventListener("focusin", (e) => {
      if (e.target.tagName !== "INPUT") return;
      const r = Number(e.target.dataset.r), c = Number(e.target.dataset.c);
      this.rove(r, c);
      if (!e.target.hasAttribute("aria-invalid")) e.target.value = full(this.matrix[r][c]);
      e.target.select();
    });
    this.table.addEventListener("focusout", (e) => {
      if (e.target.tagName !== "INPUT" || e.target.hasAttribute("aria-invalid")) return;
      const v = this.matrix[Number(e.target.dataset.r)]?.[Number(e.target.dataset.c)];
      if (v !== undefined) e.target.value = this.text(v);
    });
    const part = (name) => (this.o.text ? document.getElementById(`${this.o.text}-${name}`) : null);
    this.area = part("text");
    part("apply")?.addEventListener("click", () => this.applyText());
  }

  label() { return this.o.label(); }

  /** A number as its field shows it when it does not have the focus. */
  text(v) { return fit(v, this.chars, this.o.digits); }

  /** Show a matrix: the values change in place; the table is rebuilt only when its shape or labels change. */
  set(matrix) {
    const pending = this.dirty ? this.focusedValue() : null;
    this.matrix = matrix.map((row) => row.slice());
    if (pending) this.matrix[pending.r][pending.c] = pending.v; // a value still being typed stays
    if (this.area && document.activeElement !== this.area) this.area.value = matrixText(this.matrix, this.o.digits);
    this.area?.setAttribute("aria-label", `${this.label()}: ${t("editor.as_text")}`);
    const rows = matrix.length, cols = matrix[0].length;
    const key = [rows, cols, this.o.blocks || 1, this.label(), document.documentElement.lang].join("/");
    if (key !== this.shapeKey) this.build(rows, cols, key);
    if (!this.inputs) return;
    this.chars = widest(this.matrix, this.o.wide ? 10 : 7, this.o.digits);
    this.root.style.setProperty("--chars", Math.max(3, this.chars));
    this.matrix.forEach((row, r) => row.forEach((v, c) => {
      const el = this.inputs[r][c];
      el.title = full(v);
      // keep the caret where the user is, and a text being typed that is no number (yet): it stays explained
      if (document.activeElement === el && (this.read(el) === v || el.hasAttribute("aria-invalid"))) return;
      el.value = document.activeElement === el ? full(v) : this.text(v);
      this.valid(el);
    }));
    this.explain();
  }

  build(rows, cols, key) {
    this.shapeKey = key;
    this.inputs = null;
    this.table.replaceChildren();
    this.explain();
    this.table.setAttribute("aria-label", this.label()); // (label() may cost: asked once per build)
    const big = rows * cols > this.o.maxCells;
    this.table.hidden = big;
    if (big) this.say(t("editor.too_big", { n: this.o.maxCells }), "big");
    else if (this.said === "big") this.say("");
    if (big) {
      if (this.area) this.area.closest("details").open = true;
      return;
    }
    const { rowLabel, colLabel, blocks = 1, blockNames } = this.o;
    const per = cols / blocks;
    const blk = (c) => (blocks > 1 ? `blk-${Math.floor(c / per)}` : null);
    const corner = () => (rowLabel ? h("td") : null);
    if (blocks > 1 && blockNames) {
      this.table.append(h("tr", {}, [corner(), ...blockNames().map((name, b) =>
        h("th", { colspan: per, scope: "colgroup", class: `blk blk-${b}` }, name))]));
    }
    if (colLabel) {
      this.table.append(h("tr", {}, [corner(), ...Array.from({ length: cols }, (_, c) =>
        h("th", { scope: "col", class: blk(c) }, colLabel(c)))]));
    }
    this.root.dataset.size = cols <= 8 ? "l" : cols <= 14 ? "m" : "s";
    this.inputs = [];
    const label = this.label();
    for (let r = 0; r < rows; r++) {
      const line = [];
      const tr = h("tr", {}, [rowLabel ? h("th", { scope: "row" }, rowLabel(r)) : null]);
      for (let c = 0; c < cols; c++) {
        const name = rowLabel && colLabel ? t("editor.cell_named", { name: label, row: rowLabel(r), col: colLabel(c) })
          : t("editor.cell", { name: label, r: r + 1, c: c + 1 });
        // inputmode "text": iOS's decimal pad has no minus sign (a Sobel kernel could not be typed) and no comma
        const input = h("input", { type: "text", inputmode: "text", autocomplete: "off", spellcheck: "false",
          tabindex: -1, "data-r": r, "data-c": c, "aria-label": name });
        line.push(input);
        tr.append(h("td", { role: "gridcell", class: blk(c) }, [input]));
      }
      this.inputs.push(line);
      this.table.append(tr);
    }
    const [fr, fc] = this.focus;
    this.focus = [Math.min(fr, rows - 1), Math.min(fc, cols - 1)];
    this.inputs[this.focus[0]][this.focus[1]].tabIndex = 0;
  }

  /** The number in a field, or null when it is not one the API takes. */
  read(el) {
    const text = el.value.trim().replace(",", ".");
    const v = Number(text);
    return text === "" || text === "-" || !Number.isFinite(v) || Math.abs(v) > this.o.maxAbs ? null : v;
  }

  focusedValue() {
    const el = document.activeElement;
    if (!this.inputs || !this.table.contains(el) || el.tagName !== "INPUT") return null;
    const v = this.read(el);
    return v === null ? null : { r: Number(el.dataset.r), c: Number(el.dataset.c), v };
  }

  rove(r, c) {
    const old = this.inputs?.[this.focus[0]]?.[this.focus[1]];
    if (old) old.tabIndex = -1;
    this.focus = [r, c];
    if (this.inputs) this.inputs[r][c].tabIndex = 0;
  }

  move(r, c) {
    if (!this.inputs) return;
    r = Math.max(0, Math.min(this.inputs.length - 1, r));
    c = Math.max(0, Math.min(this.inputs[0].length - 1, c));
    this.rove(r, c);
    this.inputs[r][c].focus();
  }

  onKey(e) {
    const el = e.target;
    if (el.tagName !== "INPUT") return;
    const r = Number(el.dataset.r), c = Number(el.dataset.c);
    const whole = el.selectionStart === 0 && el.selectionEnd === el.value.length;
    const atStart = el.selectionStart === 0 && el.selectionEnd === 0;
    const atEnd = el.selectionStart === el.value.length;
    const go = {
      ArrowUp: () => this.move(r - 1, c),
      ArrowDown: () => this.move(r + 1, c),
      Enter: () => { this.commit(); this.move(e.shiftKey ? r - 1 : r + 1, c); },
      ArrowLeft: () => (atStart || whole) && this.move(r, c - 1),
      ArrowRight: () => (atEnd || whole) && this.move(r, c + 1),
    }[e.key];
    if (!go) return;
    if (go() !== false) e.preventDefault();
  }

  onInput(el) {
    if (el.tagName !== "INPUT") return;
    const v = this.read(el);
    const r = Number(el.dataset.r), c = Number(el.dataset.c);
    if (v === null) {
      // a number typed a moment ago and not committed yet was not meant ("2" on the way to "2e9"): the
      // committed value stays, and is the one the explanation names
      const kept = this.kept;
      if (this.dirty && kept?.r === r && kept?.c === c) {
        clearTimeout(this.timer);
        this.dirty = false;
        this.matrix[r][c] = kept.v;
      }
      el.setAttribute("aria-invalid", "true");
      el.setAttribute("aria-describedby", this.why.id);
      // said after the typing pause: a live region read out at every key would talk over the typing
      clearTimeout(this.whyTimer);
      this.whyTimer = setTimeout(() => this.explain(el), PAUSE_MS);
      return;
    }
    this.valid(el);
    this.explain();
    if (this.matrix[r][c] === v) return;
    if (!this.dirty) this.kept = { r, c, v: this.matrix[r][c] };
    this.matrix[r][c] = v;
    this.dirty = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.commit(), PAUSE_MS);
  }

  /** A cell that holds a number again: no longer marked, nor pointing to the explanation. */
  valid(el) {
    el.removeAttribute("aria-invalid");
    el.removeAttribute("aria-describedby");
  }

  /** Explain a cell that is not used (`el` if it is one, else the one being edited, else the first), or none. */
  explain(el = null) {
    clearTimeout(this.whyTimer);
    const bad = (this.inputs || []).flat().filter((input) => input.hasAttribute("aria-invalid"));
    const cell = [el, document.activeElement].find((x) => bad.includes(x)) || bad[0];
    const text = cell ? this.reason(cell) : "";
    if (this.why.textContent !== text) this.why.textContent = text;
    this.why.hidden = !text;
  }

  /** Why a cell's text is not used: the cell's name, its text, and the last valid value, which is. */
  reason(el) {
    const raw = el.value.trim(), v = this.matrix[Number(el.dataset.r)][Number(el.dataset.c)];
    const text = raw.length > SHOWN_CHARS ? `${raw.slice(0, SHOWN_CHARS - 1)}…` : raw;
    const number = Number(raw.replace(",", "."));
    const kind = raw === "" ? "empty" : Number.isFinite(number) ? "abs" : "number";
    const values = { cell: el.getAttribute("aria-label"), text, v: full(v), max: count(this.o.maxAbs) };
    // the sentences live in the pages' own tables (conv, pool, backprop); a page without them says the common
    // "Only numbers" or "within ±max" after the cell's name
    if (has(`editor.invalid_${kind}`)) return t(`editor.invalid_${kind}`, values);
    return `${values.cell}: ${kind === "abs" ? t("editor.error_abs", values) : t("editor.error_number")}`;
  }

  commit() {
    clearTimeout(this.timer);
    if (!this.dirty) return;
    this.dirty = false;
    this.o.onChange(this.matrix.map((row) => row.slice()));
    this.offerStage();
  }

  /** Show "See the result ↑" when the stage is off the screen (its top or its end must be on it to count). */
  offerStage() {
    const stage = document.querySelector(".panel.stage");
    if (!stage) return;
    const b = stage.getBoundingClientRect();
    this.back.hidden = b.bottom > 0 && b.top < window.innerHeight;
  }

  toStage() {
    const stage = document.querySelector(".panel.stage");
    this.back.hidden = true;
    if (!stage) return;
    const heading = stage.querySelector("h2") ?? stage;
    heading.tabIndex = -1;                       // focus goes with the eyes (a screen reader reads the stage next)
    heading.focus({ preventScroll: true });
    stage.scrollIntoView({ block: "start", behavior: scrollBehavior() });
  }

  onPaste(e) {
    const text = e.clipboardData?.getData("text") || "";
    if (!/[\s,;[\]]/.test(text.trim())) return; // a single number: the field takes it
    e.preventDefault();
    this.take(parseMatrix(text));
  }

  applyText() {
    this.take(parseMatrix(this.area.value));
  }

  /** A parsed matrix (or its error) from a paste or the text box: cut to the caps, then committed. */
  take(parsed) {
    if (parsed.error) { this.say(t(`editor.error_${parsed.error}`)); return; }
    const { maxRows, maxCols, maxAbs } = this.o;
    const m = parsed.matrix;
    if (m.some((row) => row.some((v) => Math.abs(v) > maxAbs))) { this.say(t("editor.error_abs", { max: maxAbs })); return; }
    const cut = m.length > maxRows || m[0].length > maxCols;
    this.say(cut ? t("editor.cut", { rows: maxRows, cols: maxCols }) : "");
    clearTimeout(this.timer);
    this.dirty = false;
    this.o.onChange(m.slice(0, maxRows).map((row) => row.slice(0, maxCols)));
    this.offerStage();
  }

  say(text, kind = "note") {
    this.said = text ? kind : null;
    this.msg.hidden = !text;
    this.msg.textContent = text;
  }
}
