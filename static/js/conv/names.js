// The lecture's name for an output cell: a₁₁ (0-based, as on the slide); a₁₀,₃ once an index has two digits.
const SUB = "₀₁₂₃₄₅₆₇₈₉";
const subscript = (n) => String(n).split("").map((d) => SUB[Number(d)]).join("");

export const cellName = (i, j) => `a${subscript(i)}${i > 9 || j > 9 ? "," : ""}${subscript(j)}`;
