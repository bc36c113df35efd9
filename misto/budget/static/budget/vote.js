/* The voter's own client for a secret ballot (RFC 9474 RSABSSA-SHA384-PSS-Deterministic), so
   the city never sees the token together with the voter:
   1. pick a random 32-byte token, PSS-encode it and blind it with the district's public key;
   2. POST the blinded value (signed in): the city checks eligibility, marks "has voted" and
      signs it blind;
   3. unblind, check the signature, and POST the ballot (token, signature, choices) WITHOUT the
      session cookie: the ballot carries no sign-in;
   4. go to "find my ballot" with the receipt.
   The token waits in localStorage until the ballot is counted, so a lost connection after
   step 2 can be retried. Without JavaScript (or without BigInt/WebCrypto) the form posts to
   the server, which runs the same steps inside the request (docs/budget.md). */
(function () {
  "use strict";
  var form = document.getElementById("ballot-client");
  if (!form || typeof BigInt !== "function" || !window.crypto || !crypto.subtle) { return; }
  var said = document.getElementById("ballot-status");
  var PENDING = "misto-budget-pending-" + form.getAttribute("data-round");
  // The receipt stays on this device only (the city keeps no link from a person to it).
  var RECEIPT = "misto-budget-receipt-" + form.getAttribute("data-round");
  var mine = document.getElementById("my-receipt"), kept = localStorage.getItem(RECEIPT);
  if (mine && kept) {
    var link = mine.querySelector("a");
    link.textContent = kept;
    link.href = form.getAttribute("data-ballot-url") + "?receipt=" + kept;
    mine.hidden = false;
  }

  function hex(bytes) {
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function toInt(bytes) { return BigInt("0x" + (hex(bytes) || "0")); }
  function toBytes(value, length) {
    var text = value.toString(16);
    while (text.length < length * 2) { text = "0" + text; }
    var out = new Uint8Array(length);
    for (var i = 0; i < length; i++) { out[i] = parseInt(text.substr(i * 2, 2), 16); }
    return out;
  }
  function b64(bytes) { return btoa(String.fromCharCode.apply(null, bytes)); }
  function unb64(text) { return Uint8Array.from(atob(text), function (c) { return c.charCodeAt(0); }); }
  function concat() {
    var parts = Array.prototype.slice.call(arguments), size = 0, at = 0;
    parts.forEach(function (p) { size += p.length; });
    var out = new Uint8Array(size);
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }
  function sha384(bytes) {
    return crypto.subtle.digest("SHA-384", bytes).then(function (d) { return new Uint8Array(d); });
  }
  function random(length) { var out = new Uint8Array(length); crypto.getRandomValues(out); return out; }
  function modpow(base, exp, mod) {
    var result = 1n; base %= mod;
    while (exp > 0n) {
      if (exp & 1n) { result = (result * base) % mod; }
      exp >>= 1n; base = (base * base) % mod;
    }
    return result;
  }
  function modinv(a, m) {
    var r0 = m, r1 = ((a % m) + m) % m, t0 = 0n, t1 = 1n;
    while (r1 !== 0n) {
      var q = r0 / r1, r2 = r0 - q * r1, t2 = t0 - q * t1;
      r0 = r1; r1 = r2; t0 = t1; t1 = t2;
    }
    if (r0 !== 1n) { throw new Error("not invertible"); }
    return ((t0 % m) + m) % m;
  }
  function mgf1(seed, length) {
    var blocks = [], counter = 0, chain = Promise.resolve();
    for (; counter * 48 < length; counter++) {
      (function (c) {
        chain = chain.then(function () {
          return sha384(concat(seed, toBytes(BigInt(c), 4))).then(function (d) { blocks.push(d); });
        });
      })(counter);
    }
    return chain.then(function () { return concat.apply(null, blocks).slice(0, length); });
  }
  // RFC 8017 9.1.1, SHA-384, salt of 48 bytes.
  function pssEncode(message, emBits) {
    var emLen = Math.ceil(emBits / 8), salt = random(48);
    return sha384(message).then(function (mHash) {
      return sha384(concat(new Uint8Array(8), mHash, salt));
    }).then(function (h) {
      var db = concat(new Uint8Array(emLen - 48 - 48 - 2), new Uint8Array([1]), salt);
      return mgf1(h, emLen - 48 - 1).then(function (mask) {
        for (var i = 0; i < db.length; i++) { db[i] ^= mask[i]; }
        db[0] &= 0xff >> (8 * emLen - emBits);
        return concat(db, h, new Uint8Array([0xbc]));
      });
    });
  }
  function say(text, bad) {
    if (!said) { return; }
    said.textContent = text;
    said.className = bad ? "message message-error" : "muted";
  }
  function refusal(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      var error = new Error(body.detail || body.error || String(response.status));
      error.code = body.error; throw error;
    });
  }
  function cast(pending) {
    return fetch(form.getAttribute("data-cast-url"), {
      method: "POST", credentials: "omit", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(pending)
    }).then(function (response) {
      if (!response.ok) { return refusal(response); }
      return response.json();
    }).then(function (ballot) {
      localStorage.removeItem(PENDING);
      localStorage.setItem(RECEIPT, ballot.receipt);
      window.location.href = form.getAttribute("data-ballot-url") + "?receipt=" + ballot.receipt;
    });
  }

  var stored = localStorage.getItem(PENDING);
  if (stored) {  // a token signed earlier whose ballot did not reach the city
    say(form.getAttribute("data-retrying"));
    cast(JSON.parse(stored)).catch(function (error) {
      if (error.code === "token_used") { localStorage.removeItem(PENDING); }
      say(error.message, true);
    });
  }

  // What the city would refuse for the choices: checked before a token is asked for.
  function problem(boxes) {
    if (!boxes.length) { return form.getAttribute("data-none"); }
    var limit = Number(form.getAttribute("data-max-choices") || 0);
    if (limit && boxes.length > limit) { return form.getAttribute("data-too-many"); }
    var amounts = JSON.parse(form.getAttribute("data-amounts") || "null"), spent = {};
    if (!amounts) { return ""; }
    boxes.forEach(function (box) {
      var pool = box.getAttribute("data-pool");
      spent[pool] = (spent[pool] || 0) + Number(box.getAttribute("data-cost"));
    });
    for (var pool in spent) {
      if (spent[pool] > (amounts[pool] || 0)) { return form.getAttribute("data-over-budget"); }
    }
    return "";
  }

  if (form.tagName !== "FORM") { return; }  // voted already: only the retry and the receipt

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=project]:checked"));
    var choices = boxes.map(function (box) { return box.value; });
    var wrong = problem(boxes);
    if (wrong) { say(wrong, true); return; }
    var waiting = localStorage.getItem(PENDING);
    if (waiting) {  // the token is already signed: only the choices change
      var again = JSON.parse(waiting);
      again.choices = choices;
      localStorage.setItem(PENDING, JSON.stringify(again));
      cast(again).catch(function (error) { say(error.message, true); });
      return;
    }
    var district = form.getAttribute("data-district");
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var button = form.querySelector("button[type=submit]");
    var key, n, e, k, token, m, inverse;
    button.disabled = true;
    say(form.getAttribute("data-working"));
    fetch(form.getAttribute("data-keys-url"), { credentials: "omit" }).then(function (response) {
      if (!response.ok) { return refusal(response); }
      return response.json();
    }).then(function (keys) {
      key = keys.filter(function (row) { return row.district === district; })[0];
      n = BigInt("0x" + key.n); e = BigInt(key.e); k = Math.ceil(key.n.length / 2);
      token = random(32);
      return pssEncode(token, n.toString(2).length - 1);
    }).then(function (encoded) {
      m = toInt(encoded);
      var r = (toInt(random(k + 8)) % (n - 2n)) + 2n;
      inverse = modinv(r, n);
      var blinded = (m * modpow(r, e, n)) % n;
      return fetch(form.getAttribute("data-token-url"), {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ district: district, blinded_msg: b64(toBytes(blinded, k)) })
      });
    }).then(function (response) {
      if (!response.ok) { return refusal(response); }
      return response.json();
    }).then(function (issued) {
      var s = (toInt(unb64(issued.blind_signature)) * inverse) % n;
      if (modpow(s, e, n) !== m) { throw new Error(form.getAttribute("data-bad-signature")); }
      var pending = { district: district, token: b64(token), signature: b64(toBytes(s, k)),
                      choices: choices };
      localStorage.setItem(PENDING, JSON.stringify(pending));
      return cast(pending);
    }).catch(function (error) {
      button.disabled = false;
      say(error.message, true);
    });
  });
})();
