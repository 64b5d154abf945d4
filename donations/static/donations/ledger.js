// The ledger pages: bar charts that list every row grow with their rows (set before
// static/js/tz-charts.js draws them), and "copy" buttons for hashes and codes. Without
// JavaScript the charts' places stay hidden and their tables are open (see _chart.html).
document.documentElement.classList.add("has-js");
document.querySelectorAll("details.chart-table[open]").forEach(function (el) {
  el.open = false;
});
document.querySelectorAll(".chart[data-grows][data-rows]").forEach(function (el) {
  var rows = parseInt(el.dataset.rows, 10) || 1;
  el.style.height = Math.max(220, 70 + rows * 34) + "px";
});
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      var label = button.textContent;
      button.textContent = button.dataset.copied || label;
      setTimeout(function () { button.textContent = label; }, 1500);
    });
  });
});
