// Passkeys (WebAuthn): register one in the cabinet, sign in with one on the sign-in page.
// The server sends the options as JSON (base64url for binary fields) and checks the answer.
(function () {
  "use strict";
  if (!window.PublicKeyCredential) return;

  const b64urlToBytes = (text) => {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "===".slice((base64.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  };
  const bytesToB64url = (buffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer)))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const csrf = () => document.querySelector("[name=csrfmiddlewaretoken]").value;
  const post = (url, body, headers) =>
    fetch(url, {method: "POST", credentials: "same-origin", body: body,
                headers: Object.assign({"X-CSRFToken": csrf(), "Content-Type": "application/json"},
                                       headers || {})});
  const show = (box, text) => { box.hidden = false; box.textContent = text; };

  const credentialJSON = (credential) => {
    const response = credential.response;
    const json = {id: credential.id, rawId: bytesToB64url(credential.rawId), type: credential.type,
                  clientExtensionResults: credential.getClientExtensionResults(), response: {
                    clientDataJSON: bytesToB64url(response.clientDataJSON)}};
    if (response.attestationObject) {
      json.response.attestationObject = bytesToB64url(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = bytesToB64url(response.authenticatorData);
      json.response.signature = bytesToB64url(response.signature);
      if (response.userHandle) json.response.userHandle = bytesToB64url(response.userHandle);
    }
    return JSON.stringify(json);
  };

  async function finish(answer, box) {
    const result = await answer.json();
    if (result.redirect) { window.location.assign(result.redirect); return; }
    show(box, result.error || box.dataset.failed);
  }

  document.querySelectorAll("[data-passkey-register]").forEach((button) => {
    const box = document.getElementById(button.dataset.status);
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        const options = await (await post(button.dataset.options)).json();
        options.challenge = b64urlToBytes(options.challenge);
        options.user.id = b64urlToBytes(options.user.id);
        (options.excludeCredentials || []).forEach((c) => { c.id = b64urlToBytes(c.id); });
        const credential = await navigator.credentials.create({publicKey: options});
        await finish(await post(button.dataset.url, credentialJSON(credential),
                                {"X-Passkey-Name": navigator.platform || ""}), box);
      } catch (error) { show(box, box.dataset.failed); }
    });
  });

  document.querySelectorAll("[data-passkey-signin]").forEach((button) => {
    const box = document.getElementById(button.dataset.status);
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        const options = await (await post(button.dataset.options)).json();
        options.challenge = b64urlToBytes(options.challenge);
        (options.allowCredentials || []).forEach((c) => { c.id = b64urlToBytes(c.id); });
        const credential = await navigator.credentials.get({publicKey: options});
        await finish(await post(button.dataset.url, credentialJSON(credential)), box);
      } catch (error) { show(box, box.dataset.failed); }
    });
  });
})();
