// Rows of a Django formset added and removed in the browser (procurement pages): indicators,
// evaluation factors, contract milestones. No framework: a <template> holds the empty row;
// "add" copies it with the next index and raises TOTAL_FORMS; "remove" ticks the row's DELETE
// box and hides it, so the server drops it. Without JavaScript the rows sent are still valid.
document.querySelectorAll("[data-rows]").forEach(function (box) {
  var prefix = box.dataset.rows;
  var total = box.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
  var list = box.querySelector("[data-row-list]");
  var empty = box.querySelector("template[data-empty-row]");
  function wire(row) {
    var remove = row.querySelector("[data-remove-row]");
    var del = row.querySelector("input[name$='-DELETE']");
    if (remove) {
      remove.hidden = false;
      remove.addEventListener("click", function () {
        if (del) del.checked = true;
        row.hidden = true;
        row.querySelectorAll("[required]").forEach(function (el) { el.required = false; });
      });
    }
  }
  list.querySelectorAll("[data-row]").forEach(wire);
  var add = box.querySelector("[data-add-row]");
  add.hidden = false;
  add.addEventListener("click", function () {
    var index = Number(total.value);
    var html = empty.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    list.appendChild(row);
    total.value = String(index + 1);
    wire(row);
    var first = row.querySelector("input, select, textarea");
    if (first) first.focus();
  });
});
