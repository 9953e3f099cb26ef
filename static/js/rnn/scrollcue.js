// A view of the time steps that is wider than the screen (the unrolled net on a phone, the table of every step,
// a long gate heatmap) scrolls sideways in its own box, never the page, and says so: a frame around the box
// shows a fade and an arrow on each side where more of it is (rnn.css, .scroll-frame). The cue sits on the
// frame, not on the box, because what a scroll box draws scrolls away with its content.
import { markScrollSides } from "../lib/scroll.js";

const framed = new WeakSet();

/** Put `box` (a box with overflow-x: auto) in a frame whose cue follows its scrolling, size and content. */
export function scrollCue(box) {
  if (!box || framed.has(box)) return;
  framed.add(box);
  const frame = document.createElement("div");
  frame.className = "scroll-frame";
  box.before(frame);
  frame.append(box);
  const sizes = new ResizeObserver(() => update());
  const update = () => markScrollSides(box, frame);
  box.addEventListener("scroll", update, { passive: true });
  sizes.observe(box);
  // the drawing inside is replaced at every new answer (and every language): its size is watched too
  const watchContent = () => { for (const child of box.children) sizes.observe(child); update(); };
  new MutationObserver(watchContent).observe(box, { childList: true });
  watchContent();
}

/** scrollCue() for every `selector` inside `root`, now and whenever `root` draws them again. */
export function scrollCues(root, selector) {
  if (!root) return;
  const all = () => root.querySelectorAll(selector).forEach(scrollCue);
  new MutationObserver(all).observe(root, { childList: true, subtree: true });
  all();
}
