// The lecture's name for an output cell: a₁₁ (0-based, as on the slide); a₁₀,₃ once an index has two digits.
import { sub } from "./dom.js";

export const cellName = (i, j) => `a${sub(i)}${i > 9 || j > 9 ? "," : ""}${sub(j)}`;
