// The API's caps, handed to every page by the server (app/engine/limits.py: one source), so an editor
// never allows what the API would refuse.
const data = JSON.parse(document.getElementById("limits")?.textContent || "{}");

/** limits.conv.max_hw, limits.rnn.max_t, limits.mnist.max_points, ... */
export const limits = data;
