// Calls to the JSON API. Every result is {ok: true, data} or {ok: false, error: {code, field, rule, message}}
// (code "network_error": no answer; "bad_response": an answer that is not the API's JSON).
export async function postJSON(path, body, { signal } = {}) {
  return request(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal });
}

/** A multipart form (a FormData with a file), as an upload route takes it. */
export async function postForm(path, form, { signal } = {}) {
  return request(path, { method: "POST", body: form, signal });
}

export async function getJSON(path, { signal } = {}) {
  return request(path, { signal });
}

async function request(path, init) {
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err.name === "AbortError") return { ok: false, aborted: true, error: { message: "aborted" } };
    return { ok: false, error: { code: "network_error", field: null, rule: String(err), message: String(err) } };
  }
  const data = await res.json().catch((err) => (err.name === "AbortError" ? undefined : null));
  if (data === undefined) return { ok: false, aborted: true, error: { message: "aborted" } };
  if (res.ok) return { ok: true, data };
  return { ok: false, status: res.status,
    error: data?.error || { code: "bad_response", status: res.status, field: null, rule: res.statusText,
      message: res.statusText } }; // not the API's JSON error (e.g. a proxy's HTML page)
}

/** A fetcher that cancels the previous request when a new one starts (for live controls). An answer already read
 * when a newer request starts comes back as aborted too: only the newest request's answer is ever used. */
export function latest() {
  let controller = null;
  return async (path, body) => {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    const res = await postJSON(path, body, { signal: mine.signal });
    return mine === controller ? res : { ok: false, aborted: true, error: { message: "aborted" } };
  };
}
