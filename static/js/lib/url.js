// Page state in the URL, so every view can be reloaded or shared (TensorFlow Playground's state.ts).
// Values are JSON-encoded per key: ?input=[[1,2],[3,4]]&padding="same" reads back exactly.

export function readState(defaults) {
  const params = new URLSearchParams(location.search);
  const state = { ...defaults };
  for (const key of Object.keys(defaults)) {
    if (!params.has(key)) continue;
    const raw = params.get(key);
    try { state[key] = JSON.parse(raw); } catch { state[key] = raw; }
  }
  return state;
}

export function writeState(state, defaults = {}) {
  const params = new URLSearchParams(location.search);
  for (const [key, value] of Object.entries(state)) {
    if (value === undefined || JSON.stringify(value) === JSON.stringify(defaults[key])) params.delete(key);
    else params.set(key, typeof value === "string" ? value : JSON.stringify(value));
  }
  // brackets and commas stay readable in shared links (?input=[[1,2],[3,4]]); URLSearchParams reads them back
  const query = params.toString().replace(/%5B/g, "[").replace(/%5D/g, "]").replace(/%2C/g, ",");
  history.replaceState(null, "", query ? `${location.pathname}?${query}` : location.pathname);
}
