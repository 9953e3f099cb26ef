// Which sides of a scrolling box have more to see: one rule for every page's scroll cues (the grids of
// trace/stage.js fade their own edges; rnn/scrollcue.js draws arrows on a frame around the box).

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
