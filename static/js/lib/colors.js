// Colours in one place. Signed values use a colour-blind-safe diverging palette (blue - white - orange,
// after ColorBrewer PuOr / Okabe-Ito hues); text switches between dark and light to stay readable.
export const PALETTE = {
  negative: [33, 102, 172],  // blue
  zero: [247, 247, 247],
  positive: [230, 97, 1],    // orange
  highlight: "#7b3294",      // purple outline for the current window
  padding: "#e8e8e8",
};

const mix = (a, b, t) => a.map((v, i) => Math.round(v + (b[i] - v) * t));

/** Background for a value on a scale symmetric around 0, with |value| = maxAbs at full colour. */
export function diverging(value, maxAbs) {
  const m = maxAbs > 0 ? Math.min(1, Math.abs(value) / maxAbs) : 0;
  const rgb = mix(PALETTE.zero, value < 0 ? PALETTE.negative : PALETTE.positive, m);
  return `rgb(${rgb.join(",")})`;
}

/** Sequential scale for values in [0, 1] (gates, probabilities, pixels): white to blue. */
export function sequential(value) {
  const v = Math.max(0, Math.min(1, value));
  return `rgb(${mix([255, 255, 255], [8, 48, 107], v).join(",")})`;
}

/** Black or white text for a background "rgb(r,g,b)". */
export function textOn(background) {
  const [r, g, b] = background.match(/\d+/g).map(Number);
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? "#111" : "#fff";
}
