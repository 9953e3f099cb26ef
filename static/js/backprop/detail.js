// "This step" on /backprop: a row of small captioned grids with the operators between them (the window ×
// the flipped filter = the products; the forward window → ∂y/∂x × dL/dy = what is sent back). Rebuilt only
// when its layout or shape changes.
import { h } from "../lib/dom.js";
import { GridView } from "../lib/grid.js";
import { t } from "../lib/i18n.js";

export class Detail {
  constructor(box) {
    this.box = box;
    this.key = null;
    this.parts = []; // GridView per grid item
    this.signs = []; // span per operator item
  }

  /** layout: [{label: i18n key} | {sign: text}, ...]; every grid rows × cols. */
  setup(layout, rows, cols) {
    const key = JSON.stringify([layout, rows, cols]);
    if (key === this.key) return;
    this.clear();
    this.key = key;
    for (const item of layout) {
      if ("sign" in item) {
        const sign = h("span", { class: "op", "aria-hidden": "true" }, item.sign);
        this.signs.push(sign);
        this.box.append(sign);
        continue;
      }
      const grid = h("div");
      this.box.append(h("div", { class: "part" }, [h("div", { class: "cap", "data-i18n": item.label }, t(item.label)), grid]));
      const g = new GridView(grid, { digits: 2 });
      g.labelKey = item.label;
      g.setLabel(t(item.label));
      g.resize(rows, cols);
      this.parts.push(g);
    }
  }

  relabel() { this.parts.forEach((g) => g.setLabel(t(g.labelKey))); }

  clear() {
    this.box.replaceChildren();
    this.key = null;
    this.parts = [];
    this.signs = [];
  }
}
