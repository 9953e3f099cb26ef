// A small matrix editor: a table of number inputs, columns optionally coloured by gate block,
// committing on change (Enter or leaving the cell). Large matrices are edited as text instead.
import { fmt, t } from "../lib/i18n.js";
import { h } from "./dom.js";

const MAX_CELLS = 640;

/** "1 2\n3 4", "1,2;3,4" or JSON -> matrix, or {error}. */
export function parseMatrix(text) {
  const trimmed = text.trim();
  if (!trimmed) return { error: "empty" };
  let rows;
  if (trimmed.startsWith("[")) {
    try { rows = JSON.parse(trimmed); } catch { return { error: "syntax" }; }
    if (!Array.isArray(rows)) return { error: "syntax" };
    if (!Array.isArray(rows[0])) rows = [rows];
  } else {
    rows = trimmed.split(/\s*[\n;]\s*/).filter(Boolean).map((l) => l.split(/[\s,]+/).filter(Boolean).map(Number));
  }
  if (!rows.length || rows.some((r) => !Array.isArray(r) || !r.length)) return { error: "empty" };
  if (rows.some((r) => r.length !== rows[0].length)) return { error: "ragged" };
  if (rows.some((r) => r.some((v) => typeof v !== "number" || !Number.isFinite(v)))) return { error: "number" };
  return { matrix: rows };
}

export class MatrixEditor {
  /**
   * options: {label, rowLabel(r), colLabel(c), blocks (column blocks count), blockNames [], onCell(r, c, v),
   *           onMatrix(m)}
   */
  constructor(container, options) {
    this.o = options;
    this.root = h("div", { class: "medit" });
    this.box = h("div", { class: "medit-box" });
    this.text = h("textarea", { rows: 4, spellcheck: "false", class: "medit-text" });
    const apply = h("button", { type: "button", "data-i18n": "ed.apply" }, t("ed.apply"));
    this.msg = h("span", { class: "error", role: "alert" });
    this.details = h("details", { class: "medit-details" }, [
      h("summary", { "data-i18n": "ed.as_text" }, t("ed.as_text")), this.text, apply, this.msg]);
    this.root.append(this.box, this.details);
    container.append(this.root);
    apply.addEventListener("click", () => this.applyText());
    this.box.addEventListener("change", (e) => this.commit(e.target));
    this.box.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && e.target.tagName === "INPUT") { e.preventDefault(); this.commit(e.target); }
    });
  }

  applyText() {
    const r = parseMatrix(this.text.value);
    this.msg.textContent = r.error ? t(`ed.err_${r.error}`) : "";
    if (!r.error) this.o.onMatrix(r.matrix);
  }

  commit(el) {
    if (el.tagName !== "INPUT") return;
    const v = Number(el.value);
    if (el.value.trim() === "" || !Number.isFinite(v)) { el.setAttribute("aria-invalid", "true"); return; }
    el.removeAttribute("aria-invalid");
    const r = Number(el.dataset.r), c = Number(el.dataset.c);
    if (this.matrix[r][c] !== v) this.o.onCell(r, c, v);
  }

  set(matrix, { disabled = false } = {}) {
    this.matrix = matrix;
    this.text.value = matrix.map((row) => row.map((v) => fmt(v, 6)).join(" ")).join("\n");
    this.msg.textContent = "";
    const rows = matrix.length, cols = matrix[0].length;
    const key = `${rows}x${cols}/${this.o.blocks || 1}/${disabled}/${this.o.label()}`;
    if (key === this.key && this.inputs) {
      // same shape: update the values in place, so focus and the caret stay where the user is
      matrix.forEach((row, r) => row.forEach((v, c) => {
        const el = this.inputs[r][c];
        if (document.activeElement !== el || Number(el.value) !== v) el.value = fmt(v, 6);
      }));
      return;
    }
    this.key = key;
    this.inputs = null;
    this.box.replaceChildren();
    if (rows * cols > MAX_CELLS) {
      this.box.append(h("p", { class: "muted", "data-i18n": "ed.too_big" }, t("ed.too_big")));
      this.details.open = true;
      return;
    }
    const blocks = this.o.blocks || 1, per = cols / blocks;
    const blk = (c) => (blocks > 1 ? `blk-${Math.floor(c / per)}` : "");
    const table = h("table", { class: "mtable", "aria-label": this.o.label() });
    if (blocks > 1 && this.o.blockNames) {
      const tr = h("tr", {}, [h("td")]);
      for (let b = 0; b < blocks; b++) {
        tr.append(h("th", { colspan: per, scope: "colgroup", class: `blk blk-${b}` }, this.o.blockNames()[b]));
      }
      table.append(tr);
    }
    const head = h("tr", {}, [h("td")]);
    for (let c = 0; c < cols; c++) head.append(h("th", { scope: "col", class: blk(c) }, this.o.colLabel(c)));
    table.append(head);
    this.inputs = [];
    matrix.forEach((row, r) => {
      const tr = h("tr", {}, [h("th", { scope: "row" }, this.o.rowLabel(r))]);
      this.inputs.push([]);
      row.forEach((v, c) => {
        const input = h("input", {
          type: "number", step: "any", value: fmt(v, 6), "data-r": r, "data-c": c, disabled,
          "aria-label": `${this.o.label()} ${this.o.rowLabel(r)}, ${this.o.colLabel(c)}`,
        });
        this.inputs[r].push(input);
        tr.append(h("td", { class: blk(c) }, [input]));
      });
      table.append(tr);
    });
    this.box.append(table);
  }
}
