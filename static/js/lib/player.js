// A step player: play/pause/step/seek/speed with ONE cancellable timer (Playground's timerIndex),
// so no timer survives a change of view. Pages give it a step count and an onStep(i) callback.
import { t, onLangChange } from "./i18n.js";
import { keepInView } from "./present.js";

export class Player {
  constructor({ count = 0, onStep = () => {}, onState = () => {}, interval = 700 } = {}) {
    this.count = count;
    this.index = 0;
    this.playing = false;
    this.speed = 1;
    this.interval = interval; // ms per step at 1×
    this.onStep = onStep;
    this.onState = onState;
    this.timer = null;
  }

  setCount(count, index = 0) {
    this.pause();
    this.count = count;
    this.seek(index);
  }

  seek(i) {
    if (this.count === 0) { this.index = 0; this.emit(); return; }
    this.index = Math.max(0, Math.min(this.count - 1, i));
    this.onStep(this.index);
    this.emit();
  }

  step(delta) { this.pause(); this.seek(this.index + delta); }
  start() { this.pause(); this.seek(0); }
  end() { this.pause(); this.seek(this.count - 1); }

  play() {
    if (this.count === 0 || this.playing) return;
    if (this.index >= this.count - 1) this.seek(0);
    this.playing = true;
    this.emit();
    this.schedule();
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.playing) return;
      if (this.index >= this.count - 1) { this.pause(); return; }
      this.seek(this.index + 1);
      this.schedule();
    }, this.interval / this.speed);
  }

  pause() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.playing) { this.playing = false; this.emit(); }
  }

  toggle() { this.playing ? this.pause() : this.play(); }
  setSpeed(s) { this.speed = s; if (this.playing) this.schedule(); }
  emit() { this.onState({ index: this.index, count: this.count, playing: this.playing }); }
}

const isTyping = (el) => el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));

// Space is play/pause, except on a control that Space itself works (a button, a summary, a tab ...) reached with
// the keyboard. One clicked with the pointer keeps the focus, but Space there plays: after clicking "Step forward"
// or 中文, Space pressed that button again (it stepped, or switched the language back).
const OWNS_SPACE = "button, summary, [role=button], [role=tab], [role=option], [role=checkbox], [role=radio], "
  + "[role=switch], [role=menuitem]";
let clicked = null;   // the control the pointer last pressed, until the keyboard moves the focus
document.addEventListener("pointerdown", (e) => { clicked = e.target.closest?.(OWNS_SPACE) ?? null; }, true);
document.addEventListener("keydown", (e) => { if (e.key === "Tab") clicked = null; }, true);
document.addEventListener("focusin", (e) => { if (clicked && !clicked.contains(e.target)) clicked = null; }, true);
const spaceIsTheControls = (el) => Boolean(el.closest?.(OWNS_SPACE)) && el.closest(OWNS_SPACE) !== clicked;

/** Wire the player_controls() macro's markup to a Player, plus Space, ←/→, Home/End on the page. */
export function bindControls(root, player) {
  const q = (name) => root.querySelector(`[data-player="${name}"]`);
  const play = q("play"), scrub = q("scrub"), status = q("status"), speed = q("speed");
  // what the reader does with the player brings the animation into view in presenter mode (present.js)
  const by = (fn) => (...args) => { fn(...args); keepInView(); };
  q("start").addEventListener("click", by(() => player.start()));
  q("back").addEventListener("click", by(() => player.step(-1)));
  play.addEventListener("click", by(() => player.toggle()));
  q("forward").addEventListener("click", by(() => player.step(1)));
  q("end").addEventListener("click", by(() => player.end()));
  scrub.addEventListener("input", by(() => { player.pause(); player.seek(Number(scrub.value)); }));
  speed.addEventListener("change", () => player.setSpeed(Number(speed.value)));

  const render = ({ index, count, playing }) => {
    scrub.max = String(Math.max(0, count - 1));
    scrub.value = String(index);
    scrub.disabled = count === 0;
    play.classList.toggle("is-playing", playing);
    const label = t(playing ? "player.pause" : "player.play");
    play.setAttribute("aria-label", label);
    play.title = label;
    play.dataset.i18nAttr = playing ? "aria-label:player.pause;title:player.pause" : "aria-label:player.play;title:player.play";
    status.textContent = count ? t("player.status", { i: index + 1, n: count }) : "";
  };
  const previous = player.onState;
  player.onState = (s) => { render(s); previous(s); };
  onLangChange(() => render({ index: player.index, count: player.count, playing: player.playing }));

  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
    const keys = { " ": () => player.toggle(), ArrowLeft: () => player.step(-1), ArrowRight: () => player.step(1),
      Home: () => player.start(), End: () => player.end() };
    if (e.key === " " && spaceIsTheControls(e.target)) return;  // the control's own Space handles it
    if (keys[e.key]) { e.preventDefault(); by(keys[e.key])(); }
  });
  render({ index: player.index, count: player.count, playing: player.playing });
}
