// The API's arrays as flat row-major numbers with their shape: a layer of a prediction (nested lists, or
// base64 float32 with format "float32") or the input the model was given. Indexing only: every number here
// came from the API.
import { decodeFloat32 } from "../draw/paint.js";

/** Nested lists -> a flat Float64Array (row-major). */
export function flatten(nested) {
  const out = [];
  const walk = (v) => { if (Array.isArray(v)) v.forEach(walk); else out.push(v); };
  walk(nested);
  return Float64Array.from(out);
}

export function shapeOf(nested) {
  const shape = [];
  let a = nested;
  while (Array.isArray(a)) { shape.push(a.length); a = a[0]; }
  return shape;
}

/** {name, shape, values (flat) | null, min, max, at(index)}: one array of numbers and its place names. */
export function tensor({ name, class_name: className = null, shape, array = null, data = null, min, max }) {
  let values = null;
  if (data) values = decodeFloat32(data);
  else if (array !== null && array !== undefined) values = Array.isArray(array) ? flatten(array) : Float64Array.of(array);
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  const offset = (index) => index.reduce((s, v, k) => s + v * strides[k], 0);
  return {
    name, className, shape, values, min, max,
    size: shape.reduce((a, b) => a * b, 1),
    at: (index) => (values ? values[offset(index)] : undefined),
    contains: (index) => Array.isArray(index) && index.length === shape.length
      && index.every((v, k) => Number.isInteger(v) && v >= 0 && v < shape[k]),
  };
}

/** A nested array the user (or the API's `input`) gave, as a tensor. */
export function fromNested(name, nested) {
  const values = flatten(nested);
  let min = Infinity, max = -Infinity;
  for (const v of values) { if (v < min) min = v; if (v > max) max = v; }
  return tensor({ name, shape: shapeOf(nested), array: nested, min, max });
}
