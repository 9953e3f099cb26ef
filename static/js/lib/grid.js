// A matrix drawn as light DOM: one <div> per cell, built once per shape, then only the cells that
// change are touched (so a 28×28 input animates smoothly). Rows use display: contents so the
// container is a CSS grid; ARIA sees a grid of rows and cells. Numbers follow lib/numfmt.js: the cells
// are as wide as the widest number needs (up to a cap by grid size, conv.css --chars), never cut.

const CAP = { l: 6, m: 5, s: 4 }; // characters a cell may grow to, by grid size
import { diverging, textOn } from "./colors.js";
import { fit, setNumber, widest } from "./numfmt.js";

const pending = new Map(); // cell -> its scrolling box, revealed in the next frame

function revealAll() {
  const moves = [...pending].map(([cell, box]) => {
    if (!cell.isConnected || (box.scrollHeight <= box.clientHeight && box.scrollWidth <= box.clientWidth)) return null;
    return [box, box.getBoundingClientRect(), cell.getBoundingClientRect()];
  });
  pending.clear();
  for (const move of moves) { // only writes from here on: one layout for every grid
    if (!move) continue;
    const [box, b, e] = move;
    if (e.top < b.top) box.scrollTop -= b.top - e.top + 4;
    else if (e.bottom > b.bottom) box.scrollTop += e.bottom - b.bottom + 4;
    if (e.left < b.left) box.scrollLeft -= b.left - e.left + 4;
    else if (e.right > b.right) box.scrollLeft += e.right - b.right + 4;
  }
}

export class GridView {
  /** container: element to fill; options: {label, onCell(r, c), digits: decimals at most, limit: characters a
   *  number may take at most, below the cap for the grid's size (a grid that writes its numbers as another does)} */
  constructor(container, { label = "", onCell = null, digits = 4, limit = Infinity } = {}) {
    this.root = document.createElement("div");
    this.root.className = "mgrid";
    this.root.setAttribute("role", "grid");
    if (label) this.root.setAttribute("aria-label", label);
    container.append(this.root);
    this.rows = 0;
    this.cols = 0;
    this.cells = [];
    this.marks = new Map(); // class -> Set of cells carrying it
    this.notes = new Set();
    this.digits = digits;
    this.limit = limit;
    this.chars = 2;
    this.onCell = onCell;
    this.focusAt = [0, 0];
    if (onCell) {
      this.root.classList.add("clickable");
      this.root.addEventListener("click", (e) => {
        const cell = e.target.closest(".cell");
        if (cell) this.pick(Number(cell.dataset.r), Number(cell.dataset.c));
      });
      this.root.addEventListener("keydown", (e) => this.key(e));
    }
  }

  setLabel(label) { this.root.setAttribute("aria-label", label); }

  /** Build rows × cols cells (only when the shape changes). */
  resize(rows, cols) {
    if (rows === this.rows && cols === this.cols) return;
    this.rows = rows;
    this.cols = cols;
    this.cells = [];
    this.marks.clear();
    this.notes.clear();
    const frag = document.createDocumentFragment();
    for (let r = 0; r < rows; r++) {
      const row = document.createElement("div");
      row.className = "mrow";
      row.setAttribute("role", "row");
      for (let c = 0; c < cols; c++) {
        const cell = document.createElement("div");
        cell.className = "cell";
        cell.setAttribute("role", "gridcell");
        cell.dataset.r = r;
        cell.dataset.c = c;
        const v = document.createElement("span");
        v.className = "v";
        cell.append(v);
        if (this.onCell) cell.tabIndex = r === 0 && c === 0 ? 0 : -1;
        row.append(cell);
        this.cells.push(cell);
      }
      frag.append(row);
    }
    this.root.replaceChildren(frag);
    this.root.style.setProperty("--cols", cols);
    this.root.style.setProperty("--rows", rows);
    const size = cols <= 8 ? "l" : cols <= 14 ? "m" : "s";
    this.root.dataset.size = size;
    this.focusAt = [0, 0];
  }

  /**
   * Make the cells as wide as the widest of `values` needs (nested arrays, nulls ignored), within the cap,
   * with room beside each number for a note of `noteChars` characters (notesAt: the filter's weights).
   */
  fitValues(values, noteChars = 0) {
    this.note = noteChars; // its room, its gap and its frame are the page's CSS (--note, conv.css)
    this.setChars(Math.max(this.note ? 1 : 2, widest(values, this.cap(), this.digits)), true);
  }

  cap() { return Math.min(CAP[this.root.dataset.size || "l"], this.limit); }

  /** The text a cell of this grid shows for `value` (a formula that writes it the same way uses this). */
  textOf(value) { return fit(value, this.cap(), this.digits); }

  /** The characters a cell holds for its number (the grid's width follows, CSS --chars); `exact`: also narrower. */
  setChars(chars, exact = false) {
    if (!exact && chars <= this.chars) return;
    this.root.style.setProperty("--chars", Math.max(this.note ? 1 : 2, chars));
    this.root.style.setProperty("--note", this.note || 0);
    if (chars === this.chars) return;
    this.chars = chars;
    this.cells.forEach((cell) => {
      if (cell.dataset.value !== undefined) setNumber(cell.firstChild, Number(cell.dataset.value), { chars, digits: this.digits, name: cell });
    });
  }

  cell(r, c) { return this.cells[r * this.cols + c]; }

  /** Cells as wide as the longest of `values` needs (a flat list; pages whose cells grow to fit). */
  fit(values) {
    this.fitValues(values);
  }

  /** Write a value (or null for an empty cell) with its diverging colour. */
  set(r, c, value, maxAbs, { pad = false } = {}) {
    const cell = this.cell(r, c);
    if (!cell) return;
    const span = cell.firstChild;
    if (value === null || value === undefined) {
      span.textContent = "";
      cell.style.background = "";
      cell.style.color = "";
      cell.removeAttribute("title");
      cell.removeAttribute("aria-label");
      delete cell.dataset.value;
    } else {
      // a number wider than the cells so far widens them (up to the cap), rather than being squeezed
      const quick = Number.isInteger(value) && String(value).length <= this.chars;
      if (!quick) this.setChars(fit(value, this.cap(), this.digits).length);
      setNumber(span, value, { chars: this.chars, digits: this.digits, name: cell });
      cell.dataset.value = String(value);
      if (pad) {
        cell.style.background = "";
        cell.style.color = "";
      } else {
        const bg = diverging(value, maxAbs);
        cell.style.background = bg;
        cell.style.color = textOn(bg);
      }
    }
    cell.classList.toggle("pad", pad);
  }

  /** Fill the whole grid from a 2-D array; pad(r, c) says which cells are padding. */
  fill(matrix, maxAbs, pad = () => false) {
    this.resize(matrix.length, matrix[0]?.length || 0);
    this.fitValues(matrix);
    for (let r = 0; r < this.rows; r++) {
      for (let c = 0; c < this.cols; c++) this.set(r, c, matrix[r][c], maxAbs, { pad: pad(r, c) });
    }
  }

  /** Give exactly `cells` ([[r, c], ...]) the class `cls`, touching only cells that change. */
  mark(cls, cells) {
    const next = new Set(cells.map(([r, c]) => this.cell(r, c)).filter(Boolean));
    const prev = this.marks.get(cls) || new Set();
    prev.forEach((el) => { if (!next.has(el)) el.classList.remove(cls); });
    next.forEach((el) => { if (!prev.has(el)) el.classList.add(cls); });
    this.marks.set(cls, next);
  }

  /** A label after a cell's number, as a subscript (the filter's weight over the window, as the lecture's
   * slide writes 3₀ 3₁ 2₂); notesAt([]) clears. Room for it: fitValues(values, noteChars). A space comes
   * between the number and the note, so that their text never runs together ("-1.2e5" and "0" are not
   * "-1.2e50"); the page's CSS sets the note apart as well. */
  notesAt(items) {
    this.notes.forEach((el) => el.querySelectorAll(".w, .w-gap").forEach((n) => n.remove()));
    this.notes.clear();
    for (const [r, c, text] of items) {
      const cell = this.cell(r, c);
      if (!cell) continue;
      const gap = document.createElement("span");
      gap.className = "w-gap";
      gap.textContent = "\u00a0"; // a space that is kept (a flex item's plain space would collapse)
      const w = document.createElement("span");
      w.className = "w";
      w.textContent = text;
      cell.append(gap, w);
      this.notes.add(cell);
    }
  }

  /**
   * Scroll this grid's own box (not the page) so that cell (r, c) is visible. Done in the next animation
   * frame, all grids together: the layout is read once, after every change of the step is written.
   */
  reveal(r, c) {
    const cell = this.cell(r, c);
    if (!cell) return;
    if (!pending.size) requestAnimationFrame(revealAll);
    pending.set(cell, this.root.parentElement);
  }

  /** The cell that keyboard focus lands on (roving tabindex). */
  setFocusCell(r, c, move = false) {
    const old = this.cell(...this.focusAt);
    if (old) old.tabIndex = -1;
    this.focusAt = [r, c];
    const cell = this.cell(r, c);
    if (!cell) return;
    cell.tabIndex = 0;
    if (move) cell.focus();
  }

  pick(r, c) {
    this.setFocusCell(r, c);
    this.onCell?.(r, c);
  }

  key(e) {
    const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    const [r, c] = this.focusAt;
    if (moves[e.key]) {
      const nr = Math.max(0, Math.min(this.rows - 1, r + moves[e.key][0]));
      const nc = Math.max(0, Math.min(this.cols - 1, c + moves[e.key][1]));
      this.setFocusCell(nr, nc, true);
      this.onCell?.(nr, nc);
    } else if (e.key === "Enter" || e.key === " ") {
      this.onCell?.(r, c);
    } else {
      return;
    }
    e.preventDefault();
    e.stopPropagation(); // the page-wide player keys must not also act
  }
}
