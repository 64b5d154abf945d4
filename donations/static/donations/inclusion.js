// The trace page's "Inclusion proof" section (donations/_inclusion.html): for each entry of the
// donor, fetch the RFC 9162 inclusion proof against the newest signed head and recompute it
// with Web Crypto SHA-256 (leaf = SHA-256(0x00 || entry hash), node = SHA-256(0x01 || l || r));
// then try the head's Ed25519 signature where the browser supports it. Sends nothing back.
(() => {
  "use strict";
  const box = document.querySelector("[data-inclusion]");
  if (!box) return;
  const say = (key, vars = {}) =>
    (box.dataset[key] || "").replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
  const headLine = box.querySelector("[data-inclusion-head]");
  const sigLine = box.querySelector("[data-inclusion-signature]");
  const items = Array.from(box.querySelectorAll("li[data-seq]"));
  const subtle = window.crypto && window.crypto.subtle;

  const fromHex = (hex) => Uint8Array.from(hex.match(/../g) || [], (b) => parseInt(b, 16));
  const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const fromB64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

  async function sha256(...parts) {
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { all.set(p, at); at += p.length; }
    return new Uint8Array(await subtle.digest("SHA-256", all));
  }
  const leafHash = (data) => sha256(new Uint8Array([0]), data);
  const nodeHash = (l, r) => sha256(new Uint8Array([1]), l, r);

  // RFC 9162 2.1.3.2, with arithmetic instead of 32-bit bit operations (sizes up to 2**53).
  async function verifyInclusion(leaf, index, size, path, root) {
    if (index >= size) return false;
    let fn = index, sn = size - 1, r = leaf;
    const odd = (x) => x % 2 === 1, half = (x) => Math.floor(x / 2);
    for (const p of path) {
      if (sn === 0) return false;
      if (odd(fn) || fn === sn) {
        r = await nodeHash(p, r);
        if (!odd(fn)) { while (fn !== 0 && !odd(fn)) { fn = half(fn); sn = half(sn); } }
      } else {
        r = await nodeHash(r, p);
      }
      fn = half(fn); sn = half(sn);
    }
    return sn === 0 && toHex(r) === toHex(root);
  }

  async function getJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json();
  }

  async function checkSignature(head, key) {
    if (key.development) { sigLine.textContent = say("tDev"); sigLine.dataset.state = "dev"; return; }
    const message = new TextEncoder().encode(
      `tongzhou-ledger-head/v1\n${head.tree_size}\n${head.root_hash}\n${head.timestamp}\n`);
    try {
      const pub = await subtle.importKey("raw", fromB64(key.public_key), { name: "Ed25519" }, false, ["verify"]);
      const ok = await subtle.verify({ name: "Ed25519" }, pub, fromB64(head.signature), message);
      sigLine.textContent = say(ok && head.key_id === key.key_id ? "tSigOk" : "tSigBad", { key: key.key_id });
      sigLine.dataset.state = ok ? "ok" : "bad";
    } catch (_error) {
      sigLine.textContent = say("tSigUnsupported");
      sigLine.dataset.state = "unsupported";
    }
  }

  async function run() {
    if (!subtle) { headLine.textContent = say("tNocrypto"); return; }
    try {
      const [head, key] = await Promise.all([getJSON(box.dataset.head), getJSON(box.dataset.key)]);
      const root = fromHex(head.root_hash);
      const base = box.dataset.proof.replace(/0$/, "");
      for (const li of items) {
        const seq = Number(li.dataset.seq);
        if (seq > head.tree_size) { li.textContent = say("tPending", { seq }); continue; }
        const proof = await getJSON(`${base}${seq}?tree_size=${head.tree_size}`);
        const leaf = await leafHash(fromHex(proof.entry_hash));
        const ok = toHex(leaf) === proof.leaf_hash && await verifyInclusion(
          leaf, seq - 1, head.tree_size, proof.audit_path.map(fromHex), root);
        li.textContent = say(ok ? "tOk" : "tBad", { seq, size: head.tree_size, steps: proof.audit_path.length });
        li.dataset.state = ok ? "ok" : "bad";
      }
      await checkSignature(head, key);
    } catch (error) {
      headLine.textContent = say("tError", { error: error.message });
      headLine.dataset.state = "error";
    }
  }
  run();
})();
