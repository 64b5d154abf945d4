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

/* The navigation's menus (<details class="navgroup">): they open without JavaScript; this adds
   aria-expanded on each summary, keeps one menu open at a time, and closes it with Escape (focus
   back on its summary) or a click elsewhere. */
(function () {
  "use strict";
  var groups = Array.prototype.slice.call(document.querySelectorAll(".mainnav details.navgroup"));
  if (!groups.length) { return; }
  function sync(group) {
    var summary = group.querySelector("summary");
    if (summary) { summary.setAttribute("aria-expanded", group.open ? "true" : "false"); }
  }
  groups.forEach(function (group) {
    sync(group);
    group.addEventListener("toggle", function () {
      if (group.open) {
        groups.forEach(function (other) { if (other !== group && other.open) { other.open = false; } });
      }
      sync(group);
    });
  });
  // Capture: Escape closes an open menu first, the phone menu around it on the next press.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    groups.forEach(function (group) {
      if (group.open) {
        group.open = false;
        event.stopPropagation();
        var summary = group.querySelector("summary");
        if (summary) { summary.focus(); }
      }
    });
  }, true);
  document.addEventListener("click", function (event) {
    groups.forEach(function (group) {
      if (group.open && !group.contains(event.target)) { group.open = false; }
    });
  });
}());
