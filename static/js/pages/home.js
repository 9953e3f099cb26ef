// Home: the lecture's map (CNN vs RNN) and a card per explainer. The convolution and pooling cards
// show a tiny live preview: the lecture's examples computed by the API, the window stepping over them.
import { getJSON, postJSON } from "../lib/api.js";
import { fmt, onLangChange, t } from "../lib/i18n.js";
import { reducedMotion } from "../lib/dom.js";
import { GridView } from "../lib/grid.js";
import { maxAbsOf } from "../lib/matrix.js";
import { cellName } from "../lib/names.js";

const previews = [];

function mini(box, caption, input, result) {
  const arrow = () => {
    const a = document.createElement("span");
    a.className = "mini-arrow";
    a.textContent = "→";
    return a;
  };
  const inBox = document.createElement("div");
  const outBox = document.createElement("div");
  box.replaceChildren(inBox, arrow(), outBox);
  const src = new GridView(inBox);
  const dst = new GridView(outBox);
  src.fill(input, maxAbsOf(input));
  const out = result.output, mx = maxAbsOf(out);
  dst.resize(out.length, out[0].length);
  dst.fitValues(out);
  const steps = result.steps;
  const view = { index: 0, timer: null };
  const show = (k) => {
    view.index = k;
    const st = steps[k];
    src.mark("win", st.window);
    src.mark("arg", st.argmax ? [st.argmax] : []);
    steps.forEach((s, n) => dst.set(s.index[0], s.index[1], n <= k ? s.value : null, mx));
    dst.mark("cur", [st.index]);
    caption.textContent = `${t("home.steps", { cell: cellName(st.index[0], st.index[1]), v: fmt(st.value) })} · ${t("home.live")}`;
    box.dataset.step = String(k);
  };
  const tick = () => {
    show((view.index + 1) % steps.length);
    view.timer = setTimeout(tick, 1400);
  };
  if (reducedMotion()) {
    show(steps.length - 1);
  } else {
    show(0);
    view.timer = setTimeout(tick, 1400);
  }
  previews.push(() => show(view.index));
}

async function init() {
  const ex = await getJSON("/api/examples");
  if (!ex.ok) return;
  const find = (id) => ex.data.examples.find((e) => e.id === id);
  const jobs = [["conv-theano", "conv-preview", "conv-live"], ["pool-max-valid", "pool-preview", "pool-live"]];
  await Promise.all(jobs.map(async ([id, boxId, capId]) => {
    const e = find(id);
    if (!e) return;
    const res = await postJSON(e.endpoint, e.request);
    if (res.ok) mini(document.getElementById(boxId), document.getElementById(capId), e.request.input, res.data);
  }));
}

onLangChange(() => previews.forEach((redraw) => redraw()));
init();
