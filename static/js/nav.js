/* The phone menu (templates/base.html): the checkbox already opens and closes it without
   JavaScript; this makes the "菜单" label a real button for the keyboard and screen readers. */
(function () {
  "use strict";
  var toggle = document.getElementById("nav-toggle");
  var button = document.querySelector(".nav-button");
  if (!toggle || !button) { return; }
  button.setAttribute("role", "button");
  button.setAttribute("tabindex", "0");
  toggle.setAttribute("tabindex", "-1");
  toggle.setAttribute("aria-hidden", "true");
  function sync() { button.setAttribute("aria-expanded", toggle.checked ? "true" : "false"); }
  toggle.addEventListener("change", sync);
  button.addEventListener("keydown", function (event) {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      toggle.checked = !toggle.checked;
      sync();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.checked) {
      toggle.checked = false;
      sync();
      button.focus();
    }
  });
  sync();
}());
