// Region picker: choosing a province or city reloads the filter form so the next level appears.
// The lists are rendered by the server (they also come from GET /api/v1/regions/?parent=CODE).
document.querySelectorAll("[data-region-picker] select[data-autosubmit]").forEach(function (select) {
  select.addEventListener("change", function () {
    var form = select.form;
    if (select.name === "province") {
      ["city", "county"].forEach(function (n) { if (form.elements[n]) form.elements[n].value = ""; });
    } else if (select.name === "city" && form.elements.county) {
      form.elements.county.value = "";
    }
    form.submit();
  });
});
