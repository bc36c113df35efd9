// A real OpenID Connect provider (the certified `oidc-provider` package) for the tests.
// Configured by the environment: OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET,
// OIDC_REDIRECT_URIS (comma-separated), OIDC_ACCOUNTS (JSON: {"<login>": {claims...}}).
// Its development login form takes any password; the login names the account.
// The package is found in NODE_PATH (frontend/node_modules); ES modules ignore NODE_PATH,
// so it is imported by its file path.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = (process.env.NODE_PATH || '').split(':').filter(Boolean)[0] || 'node_modules';
const { default: Provider } = await import(
  pathToFileURL(join(modules, 'oidc-provider', 'lib', 'index.js')).href);

const port = Number(process.env.OIDC_PORT);
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');
const issuer = `http://127.0.0.1:${port}`;

const configuration = {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: (process.env.OIDC_REDIRECT_URIS || '').split(',').filter(Boolean),
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
  cookies: { keys: ['misto-test-only-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const claims = accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
};

const provider = new Provider(issuer, configuration);
provider.proxy = false;
const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider ready at ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
