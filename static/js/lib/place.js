// Where a chart's labels go (the values on /lstm's c_t and h_t chart, hard_sigmoid's names on /activations): each
// label has spots to try in order (over its mark, under, beside, ...); it takes the first spot that stays inside
// the chart and meets no line, mark or label placed before it. A faint obstacle (a grid line: SOFT) may be met
// when nothing better is free; a spot that meets a HARD one is never taken.
// Boxes are {x0, y0, x1, y1} in the drawing's units.

export const SOFT = 1, HARD = 100;

const pad = (b, p) => ({ x0: b.x0 - p, y0: b.y0 - p, x1: b.x1 + p, y1: b.y1 + p });
const inside = (b, o) => b.x0 >= o.x0 && b.y0 >= o.y0 && b.x1 <= o.x1 && b.y1 <= o.y1;
export const boxesMeet = (a, b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** Whether the segment p→q passes through box b (Liang–Barsky: clip the segment to the box). */
export function segmentMeets([px, py], [qx, qy], b) {
  const dx = qx - px, dy = qy - py;
  let t0 = 0, t1 = 1;
  for (const [p, q] of [[-dx, px - b.x0], [dx, b.x1 - px], [-dy, py - b.y0], [dy, b.y1 - py]]) {
    if (p === 0) {
      if (q < 0) return false;
    } else if (p < 0) {
      t0 = Math.max(t0, q / p);
    } else {
      t1 = Math.min(t1, q / p);
    }
    if (t0 > t1) return false;
  }
  return true;
}

export class Placer {
  /** bounds: the box every label stays in; gap: the clear margin kept around a label */
  constructor(bounds, gap = 1.5) {
    this.bounds = bounds;
    this.gap = gap;
    this.boxes = [];     // [box, weight]
    this.segments = [];  // [p, q, weight]
    this.circles = [];   // [cx, cy, r, weight]
  }

  box(b, weight = HARD) { this.boxes.push([b, weight]); }

  /** A round mark: a label may sit in the corner of its bounding box. */
  circle(cx, cy, r, weight = HARD) { this.circles.push([cx, cy, r, weight]); }

  /** A polyline (points [[x, y], ...]) as obstacles. */
  line(points, weight = HARD) {
    for (let k = 1; k < points.length; k++) this.segments.push([points[k - 1], points[k], weight]);
  }

  cost(b) {
    if (!inside(b, this.bounds)) return Infinity;
    const g = pad(b, this.gap);
    let c = 0;
    for (const [o, w] of this.boxes) if (boxesMeet(g, o)) c += w;
    for (const [p, q, w] of this.segments) if (segmentMeets(p, q, g)) c += w;
    for (const [cx, cy, r, w] of this.circles) {
      const dx = Math.max(g.x0 - cx, 0, cx - g.x1), dy = Math.max(g.y0 - cy, 0, cy - g.y1);
      if (dx * dx + dy * dy < r * r) c += w;
    }
    return c;
  }

  /**
   * The index of the best candidate box (they are in order of preference), which becomes an obstacle for the next
   * labels; -1 when each meets a HARD obstacle or leaves the bounds.
   */
  take(candidates) {
    let best = -1, bestCost = HARD;
    candidates.forEach((b, k) => {
      const c = this.cost(b);
      if (c < bestCost) { best = k; bestCost = c; }
    });
    if (best < 0) return -1;
    this.box(pad(candidates[best], 2)); // two labels keep a few px apart, so "7 7" does not read as 77
    return best;
  }
}
