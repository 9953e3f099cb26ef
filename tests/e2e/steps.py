"""Walking a page's step player (static/js/lib/player.js) from the keyboard, for tests that check every step."""

from __future__ import annotations

from collections.abc import Iterator

STATUS = "[data-player=status]"


def step_through(page, count: int, status: str = "Step {i} of") -> Iterator[int]:
    """Yield i = 0, 1, ... count - 1 with the player on step i + 1: from the page's current
    step (the first, e.g. after ?step=0), ArrowRight before every step but the first, then wait until the player's
    status starts with `status` (its `{i}` is the 1-based step number; the default is the English page's
    "Step 3 of 9") and #facts has text (which may still be the previous step's: a test compares what it reads
    with itself, as the grids and the formula are drawn together)."""
    for i in range(count):
        if i:
            page.keyboard.press("ArrowRight")
        page.wait_for_function(f"t => document.querySelector('{STATUS}').textContent.startsWith(t)",
                               arg=status.format(i=i + 1))
        page.wait_for_function("() => document.getElementById('facts').textContent")
        yield i


def formula_under_player(page):
    """Scroll the player to the top of the screen; where the formula and the facts are then."""
    return page.evaluate("""() => {
        document.getElementById('player').scrollIntoView({block: 'start'});
        const box = (id) => document.getElementById(id).getBoundingClientRect();
        return {player: box('player').bottom, formula: [box('formula').top, box('formula').bottom],
                facts: box('facts').bottom, grids: box('stage-grids').top, screen: innerHeight,
                width: document.documentElement.scrollWidth}; }""")
