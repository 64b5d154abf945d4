// Goods rows of the ledger forms (donations/templates/donations/_goods_lines.html): "Add a row"
// copies the formset's empty row, "Remove" takes a row out. Without this script the server's
// empty rows are there to fill in. The formset's TOTAL_FORMS counts the rows sent; a removed
// row is emptied and hidden rather than renumbered, so the indexes stay contiguous, and it is
// the first to come back on "Add a row".
document.querySelectorAll("[data-goods-lines]").forEach(function (box) {
  var prefix = box.dataset.goodsLines;
  var total = box.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
  var rows = box.querySelector(".goods-rows");
  var template = box.querySelector("template[data-empty-row]");
  var add = box.querySelector("[data-add-row]");
  function wire(row) {
    var remove = row.querySelector("[data-remove-row]");
    if (!remove) return;
    remove.hidden = false;
    remove.addEventListener("click", function () {
      row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      row.hidden = true;
    });
  }
  function empty(row) {
    return Array.prototype.every.call(row.querySelectorAll("input"), function (input) {
      return !input.value;
    });
  }
  // With the "Add a row" button at hand, one empty row is enough: hide the spare ones.
  var spare = false;
  rows.querySelectorAll("[data-goods-row]").forEach(function (row) {
    wire(row);
    if (!empty(row) || row.querySelector(".errorlist")) return;
    if (spare) row.hidden = true;
    spare = true;
  });
  if (!add || !template || !total) return;
  add.hidden = false;
  add.addEventListener("click", function () {
    var hidden = rows.querySelector("[data-goods-row][hidden]");
    if (hidden) {  // a spare or removed row: empty, and already counted in TOTAL_FORMS
      hidden.hidden = false;
      hidden.querySelector("input").focus();
      return;
    }
    var index = parseInt(total.value, 10) || 0;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    rows.appendChild(row);
    total.value = String(index + 1);
    wire(row);
    var first = row.querySelector("input");
    if (first) first.focus();
  });
});
