// A small spreadsheet for one matrix: one <input> per cell with a roving tabindex (Tab enters and
// leaves the matrix; arrows and Enter move inside it), and paste of a whole matrix as text.
import { fmt, t } from "../lib/i18n.js";

/** "1 2 3\n4 5 6", "1,2;3,4" or JSON [[1,2],[3,4]] -> 2-D array of numbers, or null with a reason. */
export function parseMatrix(text) {
  const trimmed = text.trim();
  if (!trimmed) return { error: "empty" };
  let rows;
  if (trimmed.startsWith("[")) {
    try {
      rows = JSON.parse(trimmed);
    } catch {
      return { error: "syntax" };
    }
    if (!Array.isArray(rows)) return { error: "syntax" };
    if (!Array.isArray(rows[0])) rows = [rows];
  } else {
    rows = trimmed.split(/\s*[\n;]\s*/).filter(Boolean).map((line) => line.split(/[\s,]+/).filter(Boolean).map(Number));
  }
  if (!rows.length || rows.some((r) => !Array.isArray(r) || r.length === 0)) return { error: "empty" };
  if (rows.some((r) => r.length !== rows[0].length)) return { error: "ragged" };
  if (rows.some((r) => r.some((v) => typeof v !== "number" || !Number.isFinite(v)))) return { error: "number" };
  return { matrix: rows };
}

export const matrixText = (m) => m.map((row) => row.map((v) => fmt(v)).join(" ")).join("\n");

export class MatrixEditor {
  /** options: {label, maxRows, maxCols, onChange(matrix)} */
  constructor(container, { label = "", maxRows = 32, maxCols = 32, onChange = () => {} } = {}) {
    this.root = document.createElement("div");
    this.root.className = "editor";
    this.root.setAttribute("role", "grid");
    container.append(this.root);
    this.label = label;
    this.maxRows = maxRows;
    this.maxCols = maxCols;
    this.onChange = onChange;
    this.matrix = [[0]];
    this.inputs = [];
    this.focus = [0, 0];
    this.timer = null;
    this.root.addEventListener("keydown", (e) => this.key(e));
    this.root.addEventListener("input", (e) => this.edit(e.target));
    this.root.addEventListener("paste", (e) => this.paste(e));
    this.root.addEventListener("focusin", (e) => { if (e.target.tagName === "INPUT") e.target.select(); });
  }

  setLabel(label) {
    this.label = label;
    this.root.setAttribute("aria-label", label);
    this.inputs.flat().forEach((el) => this.labelCell(el));
  }

  labelCell(el) {
    el.setAttribute("aria-label", t("editor.cell", { name: this.label, r: Number(el.dataset.r) + 1, c: Number(el.dataset.c) + 1 }));
  }

  /** Show a matrix (rebuilding the inputs only when the shape changed). */
  set(matrix) {
    this.matrix = matrix.map((row) => row.slice());
    const rows = matrix.length, cols = matrix[0].length;
    if (this.inputs.length !== rows || this.inputs[0]?.length !== cols) this.build(rows, cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const el = this.inputs[r][c];
        if (document.activeElement !== el || Number(el.value) !== matrix[r][c]) el.value = fmt(matrix[r][c]);
        el.removeAttribute("aria-invalid");
      }
    }
  }

  build(rows, cols) {
    this.root.setAttribute("aria-label", this.label);
    this.root.style.setProperty("--cols", cols);
    this.root.dataset.size = cols <= 8 ? "l" : cols <= 14 ? "m" : "s";
    const frag = document.createDocumentFragment();
    this.inputs = [];
    for (let r = 0; r < rows; r++) {
      const row = document.createElement("div");
      row.className = "mrow";
      row.setAttribute("role", "row");
      const line = [];
      for (let c = 0; c < cols; c++) {
        const el = document.createElement("input");
        el.type = "text";
        el.inputMode = "decimal";
        el.autocomplete = "off";
        el.spellcheck = false;
        el.dataset.r = r;
        el.dataset.c = c;
        el.tabIndex = -1;
        el.setAttribute("role", "gridcell");
        this.labelCell(el);
        row.append(el);
        line.push(el);
      }
      frag.append(row);
      this.inputs.push(line);
    }
    this.root.replaceChildren(frag);
    const [fr, fc] = this.focus;
    this.focus = [Math.min(fr, rows - 1), Math.min(fc, cols - 1)];
    this.inputs[this.focus[0]][this.focus[1]].tabIndex = 0;
  }

  move(r, c) {
    const rows = this.inputs.length, cols = this.inputs[0].length;
    r = Math.max(0, Math.min(rows - 1, r));
    c = Math.max(0, Math.min(cols - 1, c));
    this.inputs[this.focus[0]][this.focus[1]].tabIndex = -1;
    this.focus = [r, c];
    const el = this.inputs[r][c];
    el.tabIndex = 0;
    el.focus();
  }

  key(e) {
    const el = e.target;
    if (el.tagName !== "INPUT") return;
    const r = Number(el.dataset.r), c = Number(el.dataset.c);
    const atStart = el.selectionStart === 0 && el.selectionEnd === 0;
    const atEnd = el.selectionStart === el.value.length;
    const whole = el.selectionStart === 0 && el.selectionEnd === el.value.length;
    const go = {
      ArrowUp: () => this.move(r - 1, c),
      ArrowDown: () => this.move(r + 1, c),
      Enter: () => this.move(e.shiftKey ? r - 1 : r + 1, c),
      ArrowLeft: () => (atStart || whole) && this.move(r, c - 1),
      ArrowRight: () => (atEnd || whole) && this.move(r, c + 1),
    }[e.key];
    if (!go) return;
    if (go() !== false) e.preventDefault();
  }

  edit(el) {
    const r = Number(el.dataset.r), c = Number(el.dataset.c);
    const text = el.value.trim().replace(",", ".");
    const value = Number(text);
    if (text === "" || text === "-" || !Number.isFinite(value) || Math.abs(value) > 1e6) {
      el.setAttribute("aria-invalid", "true");
      return;
    }
    el.removeAttribute("aria-invalid");
    this.matrix[r][c] = value;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onChange(this.matrix.map((row) => row.slice())), 250);
  }

  paste(e) {
    const text = e.clipboardData?.getData("text") || "";
    if (!/[\s,;[\]]/.test(text.trim())) return; // a single number: let the input take it
    e.preventDefault();
    const parsed = parseMatrix(text);
    if (parsed.error) {
      this.root.dispatchEvent(new CustomEvent("matrix-error", { bubbles: true, detail: parsed.error }));
      return;
    }
    const m = parsed.matrix.slice(0, this.maxRows).map((row) => row.slice(0, this.maxCols));
    this.onChange(m);
  }
}

/** A rows × cols copy of m: cropped, or grown with `fill`. */
export function reshape(m, rows, cols, fill = 0) {
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => m[r]?.[c] ?? fill));
}

/** Random integers in [lo, hi]. */
export function randomMatrix(rows, cols, lo, hi) {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => lo + Math.floor(Math.random() * (hi - lo + 1))));
}
