// 长者模式 (elder mode): larger text, taller lines, bigger tap targets, stronger contrast.
// The choice is kept in localStorage so it follows the reader from page to page; the
// <head> applies it before first paint, this script wires the button.
// The button names what it will do ("长者模式" / "退出长者模式", from its data-off and
// data-on), so it carries no aria-pressed: a toggle whose label changes must not also
// announce a pressed state.
(function () {
  var KEY = "liangbiao-elder";
  var root = document.documentElement;
  var button = document.getElementById("elder-toggle");
  if (!button) return;
  function show(on) {
    root.classList.toggle("elder", on);
    button.textContent = on ? button.dataset.on : button.dataset.off;
  }
  show(root.classList.contains("elder"));
  // Without script the button could do nothing, so it only appears with it.
  button.hidden = false;
  button.addEventListener("click", function () {
    var on = !root.classList.contains("elder");
    show(on);
    try {
      localStorage.setItem(KEY, on ? "1" : "0");
    } catch (e) {
      // Storage can be disabled; the mode still applies to this page.
    }
  });
})();

// The phone menu is a <details> and works without script; with it, Escape closes it
// and returns focus to its button.
(function () {
  var menu = document.querySelector(".site-header .menu");
  if (!menu) return;
  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
})();
