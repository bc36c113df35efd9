// Misto's DEMO OpenID Connect provider: a real provider (the certified `oidc-provider`
// package) holding the demo city's invented residents, so that a newcomer signs in as a
// verified resident on a fresh install. Never for production: `misto check --deploy`
// refuses a production configuration that names it.
//
// Started by `misto demo_idp start` (and so by `make run`), which passes the demo residents
// from misto/residents/demo.py so that their RNOKPP and birth dates match the register:
//   DEMO_IDP_PORT            loopback port (default 8001)
//   DEMO_IDP_CLIENT_ID       the one client, Misto
//   DEMO_IDP_CLIENT_SECRET
//   DEMO_IDP_ACCOUNTS        JSON list of {"sub", "label", "claims": {...}}
//
// The client is a "native" one so that any loopback port of its redirect URI is accepted
// (RFC 8252, section 7.3): the same provider serves `make run` on :8000 and the tests'
// servers on free ports.
import { randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.DEMO_IDP_PORT || 8001);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.DEMO_IDP_ACCOUNTS || '[]');
const byId = new Map(accounts.map((account) => [account.sub, account]));

const configuration = {
  clients: [{
    client_id: process.env.DEMO_IDP_CLIENT_ID,
    client_secret: process.env.DEMO_IDP_CLIENT_SECRET,
    application_type: 'native',
    redirect_uris: ['http://127.0.0.1:8000/cabinet/signin/demo/callback'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: {
    openid: ['sub'],
    profile: ['family_name', 'given_name', 'middle_name', 'birthdate'],
    rnokpp: ['rnokpp'],
  },
  scopes: ['openid', 'profile', 'rnokpp'],
  pkce: { required: () => true },
  // A fresh key on every start: the demo's sessions need not survive a restart.
  cookies: { keys: [randomBytes(32).toString('hex')] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = byId.get(id);
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account.claims }; } };
  },
};

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => (
  { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

function page(title, body) {
  return `<!doctype html>
<html lang="uk"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>DEMO — ${escape(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:1rem;color:#1a1a1a}
.demo{background:#ffe08a;border:3px dashed #8a5a00;padding:.75rem 1rem;font-weight:bold}
fieldset{border:1px solid #888;padding:1rem}label{display:block;padding:.4rem 0}
button{font-size:1rem;padding:.5rem 1.2rem;margin:.5rem .5rem 0 0}
</style></head><body>
<p class="demo" role="note">DEMO — навчальний постачальник ідентифікації Misto, не справжній.
Demo identity provider with invented people: never use it in production.</p>
<main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

function loginPage(uid) {
  const choices = accounts.map((account, index) => `<label><input type="radio" name="account"
    value="${escape(account.sub)}"${index === 0 ? ' checked' : ''}> ${escape(account.label)}</label>`);
  return page('Вхід демо-мешканця / Demo resident sign-in', `
<form method="post" action="/interaction/${escape(uid)}/login">
<fieldset><legend>Оберіть демо-мешканця / Pick a demo resident</legend>${choices.join('')}</fieldset>
<button type="submit">Увійти / Sign in</button></form>
<form method="post" action="/interaction/${escape(uid)}/abort">
<button type="submit">Скасувати / Cancel</button></form>`);
}

function consentPage(uid, account, clientId) {
  return page('Згода / Consent', `
<p>${escape(account ? account.label : '')}</p>
<p>Передати застосунку «${escape(clientId)}» ПІБ, дату народження та РНОКПП?<br>
Share your name, birth date and RNOKPP with “${escape(clientId)}”?</p>
<form method="post" action="/interaction/${escape(uid)}/confirm">
<button type="submit">Дозволити / Allow</button></form>
<form method="post" action="/interaction/${escape(uid)}/abort">
<button type="submit">Відмовити / Deny</button></form>`);
}

async function formBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 10_000) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function grantConsent(provider, details) {
  const { prompt, params, session } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  const grantId = await grant.save();
  return details.grantId ? {} : { grantId };
}

const provider = new Provider(issuer, configuration);
provider.proxy = false;

// The interaction pages (login, consent) in front of the provider's own routes.
provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/);
  if (!match) return next();
  const [, uid, action] = match;
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.uid !== uid) ctx.throw(400, 'interaction mismatch');
  ctx.set('Cache-Control', 'no-store');
  if (!action && ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = details.prompt.name === 'login'
      ? loginPage(uid)
      : consentPage(uid, byId.get(details.session?.accountId), details.params.client_id);
    return undefined;
  }
  if (ctx.method !== 'POST') ctx.throw(405);
  let result;
  if (action === 'login') {
    const accountId = (await formBody(ctx.req)).get('account');
    if (!byId.has(accountId)) ctx.throw(400, 'pick a demo resident');
    result = { login: { accountId } };
  } else if (action === 'confirm') {
    if (details.prompt.name !== 'consent') ctx.throw(400, 'nothing to consent to');
    result = { consent: await grantConsent(provider, details) };
  } else {
    result = { error: 'access_denied', error_description: 'the resident cancelled' };
  }
  const location = await provider.interactionResult(ctx.req, ctx.res, result,
    { mergeWithLastSubmission: action !== 'login' });
  ctx.status = 303;
  ctx.redirect(location);
  return undefined;
});

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`demo identity provider ready at ${issuer} (${accounts.length} demo residents)`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
