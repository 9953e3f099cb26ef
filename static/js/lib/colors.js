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

/** WCAG relative luminance of "rgb(r,g,b)" or "#rrggbb". */
export function luminance(colour) {
  const rgb = colour.startsWith("#") ? [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16)) : colour.match(/\d+/g).map(Number);
  const lin = rgb.map((v) => { const c = v / 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}

/** Black or white text for a background, whichever contrasts more (WCAG contrast ratio): at least 4.58:1 on
 * any background (pure black and white meet at luminance 0.179). */
export function textOn(background) {
  const l = luminance(background);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000" : "#fff";
}
