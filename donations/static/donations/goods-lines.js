// Goods rows of the ledger forms (donations/templates/donations/_goods_lines.html): "Add a row"
// copies the formset's empty row, "Remove" takes a row out. Without this script the server's
// empty rows are there to fill in. The formset's TOTAL_FORMS counts the rows sent; a removed
// row is emptied and hidden rather than renumbered, so the indexes stay contiguous.
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
  rows.querySelectorAll("[data-goods-row]").forEach(wire);
  if (!add || !template || !total) return;
  add.hidden = false;
  add.addEventListener("click", function () {
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
