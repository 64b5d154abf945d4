/* Verify the donation ledger in the browser (docs/ledger-chain.md): download the export and the
 * chain head, recompute every hash with Web Crypto SHA-256, compare with the head, say the result
 * in words. On the trace page (data-seqs, data-code) also report the donor's own entries.
 * Nothing is sent anywhere: the only requests are the two downloads. */
(function () {
  "use strict";
  var GENESIS = "0000000000000000000000000000000000000000000000000000000000000000";
  var encoder = new TextEncoder();

  /* Python's json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).
   * JSON.stringify escapes strings as Python does here (", \, control characters with lower-case
   * \u00xx; everything else as itself); keys are ASCII, so the default sort is code point order;
   * the public form has no floats. */
  function canonical(value) {
    if (Array.isArray(value)) {
      return "[" + value.map(canonical).join(",") + "]";
    }
    if (value !== null && typeof value === "object") {
      return "{" + Object.keys(value).sort().map(function (key) {
        return JSON.stringify(key) + ":" + canonical(value[key]);
      }).join(",") + "}";
    }
    return JSON.stringify(value);
  }

  function hex(buffer) {
    var bytes = new Uint8Array(buffer), out = "";
    for (var i = 0; i < bytes.length; i++) {
      out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    }
    return out;
  }

  function sha256(text) {
    return crypto.subtle.digest("SHA-256", encoder.encode(text)).then(hex);
  }

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return name in values ? String(values[name]) : all;
    });
  }

  /* Yield the export's lines one at a time as the download arrives (constant memory). */
  async function* lines(response) {
    var reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    var buffer = "";
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) break;
      buffer += chunk.value;
      var cut;
      while ((cut = buffer.indexOf("\n")) >= 0) {
        var line = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 1);
        if (line.trim()) yield line;
      }
    }
    if (buffer.trim()) yield buffer;
  }

  class Failure extends Error {}

  async function verify(widget, report, mine) {
    var t = function (name) { return widget.dataset["t" + name]; };
    var fetchOptions = {
      cache: "no-store", credentials: "same-origin", headers: {Accept: "application/json"}
    };
    // The head first: entries appended during the download come after it and are checked
    // but not compared (docs/ledger-chain.md).
    var head = await (await fetch(widget.dataset.head, fetchOptions)).json();
    var response = await fetch(widget.dataset.export, fetchOptions);
    if (!response.ok) throw new Error("HTTP " + response.status);
    var wanted = new Set((widget.dataset.seqs || "").split(",").filter(Boolean).map(Number));
    var prev = GENESIS, n = 0;
    for await (var line of lines(response)) {
      var row = JSON.parse(line);
      n += 1;
      mine.reached = n;
      if (row.seq !== n || row.entry.seq !== n) {
        throw new Failure(say(t("Seq"), {line: n, expected: n, seq: row.entry.seq}));
      }
      var digest = await sha256(prev + canonical(row.entry));
      if (wanted.has(n)) mine.set(n, {entry: row.entry, intact: digest === row.hash});
      if (row.prev_hash !== prev) throw new Failure(say(t("Link"), {seq: n}));
      if (digest !== row.hash) throw new Failure(say(t("Hash"), {seq: n}));
      if (n === head.count && row.hash !== head.head_hash) {
        throw new Failure(say(t("Head"), {seq: n}));
      }
      prev = row.hash;
      if (n % 500 === 0) report(say(t("Running"), {n: n}));
    }
    if (n < head.count) throw new Failure(say(t("Short"), {n: n, count: head.count}));
    return n === 0 ? t("Empty") : say(t("Ok"), {n: n});
  }

  function showMine(widget, list, mine) {
    var t = function (name) { return widget.dataset["t" + name]; };
    var wanted = (widget.dataset.seqs || "").split(",").filter(Boolean).map(Number);
    list.textContent = "";
    wanted.forEach(function (seq, index) {
      var found = mine.get(seq), item = document.createElement("li");
      if (!found && seq > (mine.reached || 0) && widget.dataset.result === "failed") {
        item.textContent = say(t("MineUnchecked"), {seq: seq});
      } else if (!found) {
        item.textContent = say(t("MineMissing"), {seq: seq});
        item.className = "bad";
      } else if (!found.intact) {
        item.textContent = say(t("MineBad"), {seq: seq});
        item.className = "bad";
      } else if (index === 0 && found.entry.trace_code !== widget.dataset.code) {
        item.textContent = say(t("MineWrongCode"), {seq: seq});
        item.className = "bad";
      } else {
        item.textContent = index === 0
          ? say(t("MineCode"), {seq: seq, code: widget.dataset.code})
          : say(t("MineOk"), {seq: seq});
        item.className = "good";
      }
      list.appendChild(item);
    });
  }

  function start(widget) {
    var button = widget.querySelector("[data-verify-start]");
    var status = widget.querySelector("[data-verify-status]");
    var list = widget.querySelector("[data-verify-mine]");
    var report = function (text, state) {
      status.textContent = text;
      status.className = "verify-status" + (state ? " " + state : "");
    };
    button.addEventListener("click", function () {
      if (!(window.crypto && crypto.subtle && window.TextDecoderStream)) {
        report(widget.dataset.tNocrypto, "bad");
        return;
      }
      button.disabled = true;
      delete widget.dataset.result;
      report(say(widget.dataset.tRunning, {n: 0}), "running");
      var mine = new Map();
      verify(widget, function (text) { report(text, "running"); }, mine)
        .then(function (text) {
          report(text, "good");
          widget.dataset.result = "ok";
        })
        .catch(function (error) {
          if (error instanceof Failure) {
            report(error.message, "bad");
          } else {
            report(say(widget.dataset.tError, {error: error.message || error}), "bad");
          }
          widget.dataset.result = "failed";
        })
        .finally(function () {
          if (widget.dataset.seqs) showMine(widget, list, mine);
          button.disabled = false;
        });
    });
  }

  document.querySelectorAll("[data-verify]").forEach(start);
})();
