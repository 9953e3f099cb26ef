// Which sides of a scrolling box have more to see: one rule for every page's scroll cues (the grids of
// trace/stage.js and every [data-scroll-cue] box fade their edges, app.css; rnn/scrollcue.js draws arrows on a
// frame around the box).

/**
 * Mark `target` (the scrolling box itself, or a frame around it) with the sides `box` can scroll to: classes
 * more-left, more-right, more-up, more-down. -> {x, y}: whether the box scrolls sideways, up and down at all.
 */
export function markScrollSides(box, target = box) {
  const x = box.scrollWidth - box.clientWidth > 1, y = box.scrollHeight - box.clientHeight > 1;
  const c = target.classList;
  c.toggle("more-left", x && box.scrollLeft > 1);
  c.toggle("more-right", x && box.scrollLeft + box.clientWidth < box.scrollWidth - 1);
  c.toggle("more-up", y && box.scrollTop > 1);
  c.toggle("more-down", y && box.scrollTop + box.clientHeight < box.scrollHeight - 1);
  return { x, y };
}

const cued = new WeakSet();

/** Mark one [data-scroll-cue] box now and whenever it scrolls or it or its content changes size. */
function cue(box) {
  if (cued.has(box)) return;
  cued.add(box);
  const update = () => markScrollSides(box);
  const sizes = new ResizeObserver(update);
  const watch = () => { sizes.observe(box); for (const child of box.children) sizes.observe(child); update(); };
  box.addEventListener("scroll", update, { passive: true });
  new MutationObserver(watch).observe(box, { childList: true, subtree: true, characterData: true });
  watch();
}

/** Every page (boot.js): the [data-scroll-cue] boxes in the page, and those its scripts add later. */
export function startScrollCues(root = document.body) {
  const all = () => root.querySelectorAll("[data-scroll-cue]").forEach(cue);
  new MutationObserver(all).observe(root, { childList: true, subtree: true });
  all();
}
