// Region picker (core.formfields.RegionPicker): turns the plain 6-digit code input into a
// province -> city -> county cascade with a search by name or pinyin initials ("yas" finds 雅安市).
// The index is static/geo/regions.json, built by scripts/build_region_index.py:
// [[code, name, parent, initials], ...]. Without JavaScript the code input stays as it is.
(function () {
  "use strict";
  if (window.tzRegionPicker) return;
  var api = (window.tzRegionPicker = { ready: null });
  var loading = null;

  function load(url) {
    if (!loading) {
      loading = fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          var byCode = {}, children = { "": [] };
          data.regions.forEach(function (row) {
            var r = { code: row[0], name: row[1], parent: row[2], initials: row[3] };
            byCode[r.code] = r;
            (children[r.parent] = children[r.parent] || []).push(r);
          });
          return { byCode: byCode, children: children, list: data.regions.map(function (row) { return byCode[row[0]]; }) };
        });
    }
    return loading;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function chain(index, code) {
    var out = [], seen = {};
    while (code && index.byCode[code] && !seen[code]) {
      seen[code] = true;
      out.unshift(index.byCode[code]);
      code = index.byCode[code].parent;
    }
    return out;
  }

  function path(index, code) {
    return chain(index, code).map(function (r) { return r.name; }).join(" ");
  }

  function search(index, query) {
    var q = query.trim().toLowerCase();
    if (!q) return [];
    var starts = [], contains = [];
    index.list.forEach(function (r) {
      if (r.name.indexOf(q) === 0 || r.initials.indexOf(q) === 0) starts.push(r);
      else if (r.name.indexOf(q) > 0) contains.push(r);
    });
    // Provinces and cities before counties: "yas" should offer 雅安市 before 永安市.
    function depth(r) { return chain(index, r.code).length; }
    var rank = function (a, b) { return depth(a) - depth(b); };
    return starts.sort(rank).concat(contains.sort(rank)).slice(0, 8);
  }
  api.search = function (query) {
    return load(document.querySelector("[data-region-picker]").dataset.index).then(function (index) {
      return search(index, query).map(function (r) { return r.code; });
    });
  };

  function enhance(box, index) {
    var input = box.querySelector("[data-region-input]");
    var current = box.querySelector("[data-region-current]");
    var multiple = box.hasAttribute("data-multiple");
    var d = box.dataset;
    var uid = input.id || input.name;
    input.hidden = true;
    // A hidden required input would block the form with no visible message; the server
    // says what is missing instead.
    input.required = false;
    input.removeAttribute("pattern");

    var searchLabel = el("label", { "for": uid + "-search", "class": "region-picker-label" }, d.labelSearch);
    var searchInput = el("input", { type: "search", id: uid + "-search", autocomplete: "off", "data-region-search": "" });
    var results = el("ul", { "class": "region-picker-results", role: "listbox", "data-region-results": "" });
    var selects = [d.labelProvince, d.labelCity, d.labelCounty].map(function (label, level) {
      var wrap = el("label", { "class": "region-picker-level" });
      wrap.appendChild(el("span", {}, label));
      var select = el("select", { "data-region-level": String(level) });
      wrap.appendChild(select);
      return { wrap: wrap, select: select };
    });
    var chips = el("ul", { "class": "region-picker-chips", "data-region-chips": "" });
    var add = el("button", { type: "button", "class": "button small secondary", "data-region-add": "" }, d.labelAdd);

    var ui = el("div", { "class": "region-picker-ui" });
    ui.appendChild(searchLabel);
    ui.appendChild(searchInput);
    ui.appendChild(results);
    var levels = el("div", { "class": "region-picker-levels" });
    selects.forEach(function (s) { levels.appendChild(s.wrap); });
    if (multiple) levels.appendChild(add);
    ui.appendChild(levels);
    if (multiple) ui.appendChild(chips);
    box.insertBefore(ui, current);
    if (multiple) current.hidden = true;

    function codes() {
      return input.value.replace(/[,，]/g, " ").split(/\s+/).filter(Boolean);
    }

    function fill(level, parent, chosen) {
      var s = selects[level];
      var kids = parent === null ? index.children[""] : index.children[parent] || [];
      s.select.innerHTML = "";
      s.select.appendChild(el("option", { value: "" }, d.labelAny));
      kids.forEach(function (r) {
        var o = el("option", { value: r.code }, r.name);
        if (r.code === chosen) o.selected = true;
        s.select.appendChild(o);
      });
      s.wrap.hidden = level > 0 && (parent === "" || !kids.length);
    }

    function showCascade(code) {
      var c = chain(index, code).map(function (r) { return r.code; });
      fill(0, null, c[0] || "");
      fill(1, c[0] || "", c[1] || "");
      fill(2, c[1] || "", c[2] || "");
    }

    function chosen() {
      for (var i = 2; i >= 0; i--) if (!selects[i].wrap.hidden && selects[i].select.value) return selects[i].select.value;
      return "";
    }

    function renderChips() {
      chips.innerHTML = "";
      codes().forEach(function (code) {
        var li = el("li", { "data-code": code });
        li.appendChild(el("span", { "class": "region", title: code }, path(index, code) || code));
        var x = el("button", { type: "button", "class": "button small secondary", "aria-label": d.labelRemove + " " + path(index, code) }, "×");
        x.addEventListener("click", function () {
          input.value = codes().filter(function (c) { return c !== code; }).join(" ");
          renderChips();
        });
        li.appendChild(x);
        chips.appendChild(li);
      });
    }

    function pick(code) {
      if (multiple) {
        var list = codes();
        if (code && list.indexOf(code) < 0) list.push(code);
        input.value = list.join(" ");
        renderChips();
      } else {
        input.value = code;
        current.textContent = code ? path(index, code) : "";
        current.title = code;
      }
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    selects.forEach(function (s, level) {
      s.select.addEventListener("change", function () {
        var value = s.select.value;
        if (level < 2) fill(level + 1, value || "", "");
        if (level < 1) fill(2, "", "");
        if (!multiple) pick(chosen());
      });
    });
    add.addEventListener("click", function () { pick(chosen()); });

    searchInput.addEventListener("input", function () {
      results.innerHTML = "";
      var found = search(index, searchInput.value);
      if (searchInput.value.trim() && !found.length) results.appendChild(el("li", { "class": "muted" }, d.labelNone));
      found.forEach(function (r) {
        var li = el("li", { role: "option" });
        var b = el("button", { type: "button", "data-code": r.code }, path(index, r.code));
        b.addEventListener("click", function () {
          showCascade(r.code);
          pick(r.code);
          results.innerHTML = "";
          searchInput.value = "";
        });
        li.appendChild(b);
        results.appendChild(li);
      });
    });
    searchInput.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        var first = results.querySelector("button");
        if (first) first.click();
      }
    });

    showCascade(multiple ? "" : codes()[0] || "");
    if (multiple) renderChips();
    box.setAttribute("data-region-ready", "");
  }

  function init() {
    var boxes = document.querySelectorAll("[data-region-picker]:not([data-region-ready])");
    if (!boxes.length) return;
    api.ready = load(boxes[0].dataset.index).then(function (index) {
      boxes.forEach(function (box) { enhance(box, index); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
