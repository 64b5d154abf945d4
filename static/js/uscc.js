// Live check of the 统一社会信用代码 (registry.forms.USCCInput). window.tzUscc.validate implements
// registry/uscc.py exactly: the same checks in the same order (length, alphabet, region digits,
// the GB 11714 organization-code digit, the GB 32100 check character, the kind's prefix), so the
// message a person sees while typing is the one the server would give.
(function () {
  "use strict";
  if (window.tzUscc) return;
  var ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  var W32100 = [];
  for (var i = 0, w = 1; i < 17; i++, w = (w * 3) % 31) W32100.push(w);
  var W11714 = [3, 7, 9, 10, 5, 8, 4, 2];

  function check32100(first17) {
    var total = 0;
    for (var i = 0; i < 17; i++) total += ALPHABET.indexOf(first17[i]) * W32100[i];
    return ALPHABET[(31 - (total % 31)) % 31];
  }

  function value11714(ch) {
    return /[0-9]/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 65 + 10;
  }

  function check11714(first8) {
    var total = 0;
    for (var i = 0; i < 8; i++) total += value11714(first8[i]) * W11714[i];
    var c = 11 - (total % 11);
    return c === 10 ? "X" : c === 11 ? "0" : String(c);
  }

  // {ok: true, code} or {ok: false, check, char?}; kindPrefixes: the prefixes of the chosen kind.
  function validate(code, kindPrefixes) {
    code = String(code || "").trim().toUpperCase();
    if (Array.from(code).length !== 18) return { ok: false, check: "length" };
    for (var i = 0; i < 18; i++) {
      if (ALPHABET.indexOf(code[i]) < 0) return { ok: false, check: "alphabet", "char": code[i] };
    }
    if (!/^[0-9]{6}$/.test(code.slice(2, 8))) return { ok: false, check: "region" };
    if (check11714(code.slice(8, 16)) !== code[16]) return { ok: false, check: "organization_code" };
    if (check32100(code.slice(0, 17)) !== code[17]) return { ok: false, check: "check_digit" };
    if (kindPrefixes && kindPrefixes.length && kindPrefixes.indexOf(code.slice(0, 2)) < 0) {
      return { ok: false, check: "kind" };
    }
    return { ok: true, code: code };
  }

  window.tzUscc = { validate: validate, check32100: check32100, check11714: check11714 };

  function enhance(box) {
    var input = box.querySelector("[data-uscc]");
    var out = box.querySelector("[data-uscc-check]");
    var prefixes = JSON.parse(box.dataset.prefixes || "{}");
    var kind = input.form && input.form.elements[box.dataset.kindField];
    function update() {
      var start = input.selectionStart, end = input.selectionEnd;
      var upper = input.value.replace(/\s+/g, "").toUpperCase();
      if (upper !== input.value) {
        input.value = upper;
        try { input.setSelectionRange(start, end); } catch (e) { /* not a text input */ }
      }
      var text = input.value;
      out.className = "uscc-check";
      if (!text) { out.textContent = ""; return; }
      var chosen = kind && prefixes[kind.value] ? prefixes[kind.value] : null;
      var result = validate(text, chosen);
      if (result.ok) {
        out.textContent = box.dataset.msgOk;
        out.classList.add("ok");
        input.setAttribute("aria-invalid", "false");
        return;
      }
      if (result.check === "length" && text.length < 18) {
        out.textContent = box.dataset.msgTyping.replace("%(count)s", String(text.length));
        // A wrong character is worth saying before the 18th is typed.
        for (var i = 0; i < text.length; i++) {
          if (ALPHABET.indexOf(text[i]) < 0) {
            out.textContent = box.dataset.msgAlphabet.replace("%(char)s", text[i]);
            out.classList.add("error");
          }
        }
        return;
      }
      out.textContent = (box.dataset["msg" + result.check[0].toUpperCase() + result.check.slice(1)] || "")
        .replace("%(char)s", result["char"] || "")
        .replace("%(prefixes)s", (chosen || []).join(" / "));
      out.classList.add("error");
      input.setAttribute("aria-invalid", "true");
    }
    input.addEventListener("input", update);
    if (kind) kind.addEventListener("change", update);
    update();
  }

  function init() {
    document.querySelectorAll("[data-uscc-field]").forEach(enhance);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
