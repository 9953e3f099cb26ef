// The page's request, its URL state, and the calls to the API. The request body is the state:
// presets load an example's request; every edit changes the request and posts it again.
// The gates' activation chosen in the settings (recurrent_activation: Keras 2's hard_sigmoid or Keras 3's
// sigmoid) is the reader's choice, not the example's: it is kept in the URL and over a switch of the cell
// (LSTM ↔ GRU), where the new cell's example gets it (its twin example when it has one). Picking an example
// in the list drops it: the example says which it uses.
import { getJSON, latest } from "../lib/api.js";
import { readState, writeState } from "../lib/url.js";
import { clone } from "../lib/dom.js";

const KERAS_DEFAULT_GATES = "sigmoid";
/** JSON with every object's keys in order: two requests that differ only in key order compare equal. */
const canonical = (v) => JSON.stringify(v, (_, x) => (x && typeof x === "object" && !Array.isArray(x)
  ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

export class Session {
  /** cells: {name: {endpoint, preset, gates}} (gates: it has a recurrent_activation); onResult(data), onError(error),
   *  onBusy(bool) */
  constructor({ cells, defaultCell, onResult, onError, onBusy = () => {} }) {
    this.cells = cells;
    this.defaults = { cell: defaultCell, preset: cells[defaultCell].preset, req: null, step: 0, unit: 0,
      recurrent_activation: null };
    this.onResult = onResult;
    this.onError = onError;
    this.onBusy = onBusy;
    this.post = latest();
    this.examples = [];
    this.data = null;
  }

  async init() {
    const res = await getJSON("/api/examples");
    this.examples = res.ok ? res.data.examples : [];
    const st = readState(this.defaults);
    if (!(st.cell in this.cells)) st.cell = this.defaults.cell;
    if (st.req && (typeof st.req !== "object" || !st.req.inputs)) st.req = null;
    if (!st.req) {
      const own = (id) => { const e = this.example(id); return e?.endpoint === this.cells[st.cell].endpoint ? e : null; };
      const ex = own(st.preset) || own(this.cells[st.cell].preset); // ?cell="gru" alone: GRU's own example
      st.preset = ex ? ex.id : "";
      st.req = ex ? clone(ex.request) : { inputs: [[1]], units: 1 };
    }
    st.step = Number.isInteger(st.step) ? st.step : 0;
    st.unit = Number.isInteger(st.unit) ? st.unit : 0;
    const gates = this.cells[st.cell].gates && typeof st.recurrent_activation === "string" && st.recurrent_activation;
    st.recurrent_activation = gates || null;   // (only cells with gates have one: not /rnn's SimpleRNN)
    this.state = st;
    if (st.preset) this.keepGates();
    this.normalise();
    await this.compute();
  }

  get req() { return this.state.req; }
  get endpoint() { return this.cells[this.state.cell].endpoint; }
  presets(cell = this.state.cell) { return this.examples.filter((e) => e.endpoint === this.cells[cell].endpoint); }
  example(id) { return this.examples.find((e) => e.id === id); }

  normalise() {
    const r = this.state.req;
    if (Array.isArray(r.inputs) && !Array.isArray(r.inputs[0])) r.inputs = r.inputs.map((v) => [v]);
  }

  /** Load an example; `keepGates` (a switch of the cell) keeps the chosen recurrent_activation. */
  usePreset(id, { keepGates = false } = {}) {
    const ex = this.example(id);
    if (!ex) return;
    if (!keepGates) this.state.recurrent_activation = null;
    this.state.preset = id;
    this.state.req = clone(ex.request);
    this.state.step = 0;
    this.state.unit = 0;
    this.keepGates();
    this.normalise();
    this.compute();
  }

  setCell(cell) {
    if (!(cell in this.cells) || cell === this.state.cell) return;
    this.state.cell = cell;
    this.usePreset(this.cells[cell].preset, { keepGates: true });
  }

  /** The settings' choice of the gates' activation: the request uses it, and it outlives the example. */
  chooseGates(name) {
    this.state.recurrent_activation = name;
    return this.edit((r) => { r.recurrent_activation = name; });
  }

  /** The example on screen with the chosen gates: its twin example that has them, or else the example edited. */
  keepGates() {
    const want = this.state.recurrent_activation, r = this.state.req;
    if (!want || (r.recurrent_activation ?? KERAS_DEFAULT_GATES) === want) return;
    const wanted = canonical({ ...r, recurrent_activation: want });
    const twin = this.presets()
      .find((e) => canonical({ recurrent_activation: KERAS_DEFAULT_GATES, ...e.request }) === wanted);
    if (twin) {
      this.state.preset = twin.id;
      this.state.req = clone(twin.request);
    } else {
      r.recurrent_activation = want;
      this.state.preset = "";
    }
  }

  /** Copy the weights the last answer used into the request, so one of them can be edited. */
  explicit() {
    const w = this.data?.weights, r = this.state.req;
    if (!w) return;
    r.kernel = clone(w.kernel);
    r.recurrent_kernel = clone(w.recurrent_kernel);
    if (w.bias && r.use_bias !== false) r.bias = clone(w.bias); else delete r.bias;
    delete r.units;
    if (w.output_layer && r.output_layer) {
      r.output_layer.kernel = clone(w.output_layer.kernel);
      if (w.output_layer.bias) r.output_layer.bias = clone(w.output_layer.bias);
      delete r.output_layer.units;
    }
  }

  /** Weights drawn again by Keras' initialisers (with the request's seed). */
  reinitialise(units = this.data?.units) {
    const r = this.state.req;
    for (const k of ["kernel", "recurrent_kernel", "bias", "initial_state"]) delete r[k];
    r.units = units || 1;
    if (r.output_layer) {
      const m = this.data?.weights?.output_layer?.kernel?.[0]?.length || r.units;
      r.output_layer = { units: m, use_bias: r.output_layer.use_bias ?? true, activation: r.output_layer.activation || "linear" };
    }
  }

  edit(fn) {
    fn(this.state.req);
    this.state.preset = "";
    return this.compute();
  }

  async compute() {
    this.onBusy(true);
    const res = await this.post(this.endpoint, this.state.req);
    if (res.aborted) return;
    this.onBusy(false);
    if (!res.ok) { this.onError(res.error); this.save(); return; }
    this.data = res.data;
    this.state.step = Math.max(0, Math.min(this.state.step, res.data.timesteps - 1));
    this.state.unit = Math.max(0, Math.min(this.state.unit, res.data.units - 1));
    this.onError(null);
    this.onResult(res.data);
    this.save();
  }

  save() {
    const st = this.state;
    writeState({ cell: st.cell, preset: st.preset, req: st.preset ? null : st.req, step: st.step, unit: st.unit,
      recurrent_activation: st.recurrent_activation }, this.defaults);
  }
}
