// The /backprop page's state: which layer (op), which of its traces (view), and the request body of that
// layer's endpoint. The state is what the URL holds; the body is what is posted. Nothing here computes a
// number the page shows: the answers come from the API.
import { limits } from "../lib/limits.js";
import { depth, isMatrix, reshape } from "../lib/matrix.js";
import { pair } from "../trace/stage.js";

const L = limits.conv;

export const OPS = ["conv", "max", "average", "transpose"];
export const VIEWS = {
  conv: ["grad_input", "grad_kernel", "grad_bias"], max: ["steps"], average: ["steps"], transpose: ["scatter", "gather"],
};
const ENDPOINTS = { conv: "/api/conv2d/backward", max: "/api/pool/backward", average: "/api/pool/backward",
  transpose: "/api/conv2d_transpose" };
const ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh"];
/** Every key a state may have (the URL reads and clears them all). */
export const FIELDS = ["op", "view", "input", "kernel", "strides", "padding", "dilation_rate", "activation", "pool_size",
  "output_padding", "grad_output"];

// the lecture's padding example (卷積層, 填補): the page's default
export const LECTURE_X = [[0, 0, 1, 1], [0, 1, 6, 0], [3, 3, 2, 0], [1, 0, 2, 1]];
export const LECTURE_W = [[2, 1, 3], [2, 0, 0], [1, 3, 2]];
export const LECTURE = { op: "conv", view: "grad_input", input: LECTURE_X, kernel: LECTURE_W, padding: "same" };
const ONES = LECTURE_X.map((row) => row.map(() => 1));
/** A layer's first state when the page switches to it (pooling keeps the input x; see switchOp). */
const FIRST = {
  conv: LECTURE,
  max: { op: "max", input: LECTURE_X, pool_size: [2, 2], strides: null, padding: "valid" },
  average: { op: "average", input: LECTURE_X, pool_size: [2, 2], strides: null, padding: "valid" },
  transpose: { op: "transpose", view: "scatter", input: ONES, kernel: LECTURE_W, padding: "same" },
};

export const endpoint = (req) => ENDPOINTS[req.op];

/** What a link to a state leaves out: its layer's first state (the layer itself is named unless it is conv). */
export const linkDefaults = (req) => ({ ...check(FIRST[OPS.includes(req.op) ? req.op : "conv"]), op: "conv" });
export const isPool = (req) => req.op === "max" || req.op === "average";

const oneOf = (v, options, fallback) => (options.includes(v) ? v : fallback);

/** A 2-D matrix of numbers within the editors' caps (this page edits one channel and one filter). */
function matrix(m, max) {
  if (depth(m) !== 2 || !isMatrix(m.map((row) => row.map(Number)))) throw new Error("not a matrix");
  return reshape(m, Math.min(max, m.length), Math.min(max, m[0].length)).map((row) => row.map(Number));
}

const grad = (g) => (g === null || g === undefined || depth(g) !== 2 || !isMatrix(g) ? null : g.map((row) => row.map(Number)));

/** A state made whole: every field of its layer, in one order; an exception when it holds no matrices. */
export function check(r) {
  const op = oneOf(r.op, OPS, "conv");
  const base = { op, view: oneOf(r.view, VIEWS[op], VIEWS[op][0]), input: matrix(r.input, L.max_hw) };
  if (op === "conv") {
    return { ...base, kernel: matrix(r.kernel, L.max_k), strides: pair(r.strides), padding: oneOf(r.padding, ["valid", "same", "full"], "valid"),
      dilation_rate: pair(r.dilation_rate), activation: oneOf(r.activation, ACTIVATIONS, "linear"), grad_output: grad(r.grad_output) };
  }
  if (op === "transpose") {
    return { ...base, kernel: matrix(r.kernel, L.max_k), strides: pair(r.strides), padding: oneOf(r.padding, ["valid", "same"], "valid"),
      output_padding: r.output_padding === null || r.output_padding === undefined ? null : pair(r.output_padding, 0),
      dilation_rate: pair(r.dilation_rate), activation: oneOf(r.activation, ACTIVATIONS, "linear") };
  }
  return { ...base, pool_size: pair(r.pool_size ?? 2), strides: r.strides === null || r.strides === undefined ? null : pair(r.strides),
    padding: oneOf(r.padding, ["valid", "same"], "valid"), grad_output: grad(r.grad_output) };
}

/** What is posted: the layer's fields without the page's own (op, view) and without nulls; pooling's mode. */
export function toBody(req) {
  const body = {};
  for (const [k, v] of Object.entries(req)) if (k !== "op" && k !== "view" && v !== null) body[k] = v;
  if (isPool(req)) return { input: body.input, mode: req.op, ...body };
  return body;
}

// The endpoints of /api/examples this page takes, and the layer each one's request is for (the forward
// examples' bodies are the backward ones' without dL/dy).
const EXAMPLE_OPS = { "/api/conv2d": "conv", "/api/conv2d/backward": "conv", "/api/conv2d_transpose": "transpose",
  "/api/pool": "pool", "/api/pool/backward": "pool" };

/** The state of a lecture example from /api/examples. */
export const fromExample = (e) => {
  const op = EXAMPLE_OPS[e.endpoint];
  return { ...e.request, op: op === "pool" ? e.request.mode : op };
};

/** The examples this page offers: the 2-D ones of the endpoints above. */
export const offered = (e) => e.endpoint in EXAMPLE_OPS && depth(e.request.input) === 2
  && (EXAMPLE_OPS[e.endpoint] === "pool" || depth(e.request.kernel) === 2);

/**
 * Switch the state to another layer: the last state of that layer (`memory`) or its first one. Convolution and
 * pooling look at the same x, so it goes along; dL/dy goes back to all ones (the output's shape changes), except
 * between max and average pooling.
 */
export function switchOp(req, op, memory) {
  memory[group(req.op)] = { ...req };
  const next = { ...(memory[group(op)] || FIRST[op]), op };
  if (group(op) !== group(req.op)) {
    if (group(op) !== "transpose" && group(req.op) !== "transpose") next.input = req.input;
    next.grad_output = null;
  }
  return check(next);
}
const group = (op) => (op === "max" || op === "average" ? "pool" : op);
