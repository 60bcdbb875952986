// A real OpenID provider for labkit's SSO tests: oidc-provider (a certified implementation) on loopback.
//
// Started by tests/sso/conftest.py as `node provider.mjs`; it prints one JSON line
// {"url": "http://127.0.0.1:PORT"} once it listens. Two providers are mounted:
//   /op        an honest provider whose issuer is URL/op;
//   /impostor  a provider that answers discovery with another issuer (URL/elsewhere).
// Environment:
//   CLIENT_ID, CLIENT_SECRET   the one client (a "native" client: any loopback port is accepted in
//                              its redirect URI, RFC 8252 §7.3, so every test lab can use it)
//   REDIRECT_PATHS             the paths of the client's redirect URIs on 127.0.0.1, comma-separated
//   CLOCK_OFFSET_SECONDS       shifts this process's clock (a provider whose clock is late issues
//                              ID tokens that have already expired)
// Anyone can sign in on the development login page with any password: the login typed is the
// e-mail address and the subject, the address verified unless it starts with "unverified".
import http from 'node:http';

import Provider from 'oidc-provider';

const offset = Number(process.env.CLOCK_OFFSET_SECONDS || 0) * 1000;
if (offset) {
  const realNow = Date.now;
  Date.now = () => realNow() + offset;
}

function findAccount(ctx, login) {
  // the development login page makes the login typed the account's id, hence its subject
  const email = login.trim().toLowerCase();
  return {
    accountId: login,
    async claims() {
      return { sub: login, email, email_verified: !email.startsWith('unverified'), name: `Person ${email.split('@')[0]}` };
    },
  };
}

function provider(issuer) {
  const hours = 4 * 3600; // long enough that a late clock does not expire the provider's own cookies
  const instance = new Provider(issuer, {
    clients: [{
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      application_type: 'native',
      redirect_uris: process.env.REDIRECT_PATHS.split(',').map((path) => `http://127.0.0.1${path}`),
      grant_types: ['authorization_code'],
      response_types: ['code'],
    }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    cookies: { keys: ['labkit-test-provider-cookie-key'] },
    findAccount,
    pkce: { required: () => true },
    ttl: { Interaction: hours, Session: hours, Grant: hours, IdToken: 3600, AccessToken: 3600, AuthorizationCode: 600 },
  });
  instance.proxy = false;
  instance.on('server_error', (ctx, error) => console.error('server_error', error));
  return instance;
}

const mounts = {};
const server = http.createServer((req, res) => {
  const prefix = Object.keys(mounts).find((path) => req.url === path || req.url.startsWith(`${path}/`) || req.url.startsWith(`${path}?`));
  if (!prefix) {
    res.writeHead(404).end();
    return;
  }
  req.originalUrl = req.url; // as express does: the provider builds its endpoints' URLs from the mount path
  req.url = req.url.slice(prefix.length) || '/';
  mounts[prefix](req, res);
});

server.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}`;
  mounts['/op'] = provider(`${url}/op`).callback();
  mounts['/impostor'] = provider(`${url}/elsewhere`).callback();
  process.stdout.write(`${JSON.stringify({ url })}\n`);
});
