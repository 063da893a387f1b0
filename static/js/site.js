// 长者模式 (elder mode): larger text, taller lines, bigger tap targets, stronger contrast.
// The choice is kept in localStorage so it follows the reader from page to page; the
// <head> applies it before first paint, this script wires the button.
(function () {
  var KEY = "liangbiao-elder";
  var root = document.documentElement;
  var button = document.getElementById("elder-toggle");
  if (!button) return;
  function show(on) {
    root.classList.toggle("elder", on);
    button.setAttribute("aria-pressed", on ? "true" : "false");
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
