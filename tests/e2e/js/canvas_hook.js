// Installed before a page's own scripts (Playwright's add_init_script): records the labels every canvas gets
// from fillText / strokeText, with the font size in the canvas' own pixels after the context's transform,
// so tests/e2e/js/text_size.js can tell how large they render. The page's drawing is unchanged.
(() => {
  const labels = new Map(); // canvas -> Map(text -> px in canvas pixels)
  window.__canvasLabels = labels;
  // setting a canvas' size clears it: its labels go too
  for (const dim of ["width", "height"]) {
    const d = Object.getOwnPropertyDescriptor(HTMLCanvasElement.prototype, dim);
    Object.defineProperty(HTMLCanvasElement.prototype, dim, {
      ...d, set(v) { labels.delete(this); d.set.call(this, v); },
    });
  }
  const proto = CanvasRenderingContext2D.prototype;
  for (const name of ["fillText", "strokeText"]) {
    const draw = proto[name];
    proto[name] = function (text, ...rest) {
      const size = /(\d+(?:\.\d+)?)px/.exec(this.font);
      if (size && String(text).trim()) {
        const m = this.getTransform();
        const px = parseFloat(size[1]) * Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
        if (!labels.has(this.canvas)) labels.set(this.canvas, new Map());
        labels.get(this.canvas).set(String(text), px);
      }
      return draw.call(this, text, ...rest);
    };
  }
})();
