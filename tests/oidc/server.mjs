// A real OpenID Connect provider for the social sign-in tests: panva's oidc-provider on loopback.
//
//   node tests/oidc/server.mjs [port]      (port 0 or none: any free port)
//
//   OIDC_CLIENT_ID=… OIDC_CLIENT_SECRET=… OIDC_REDIRECT_URIS=http://localhost:8000/api/auth/callback/testidp \
//     node tests/oidc/server.mjs 9400        (also a static client, to try the web app against it by hand)
//
// Prints one JSON line when it listens: {"issuer": "http://127.0.0.1:PORT"}. Everything else is oidc-provider's
// own behaviour, configured as a real deployment would be:
//   - clients register themselves with Dynamic Client Registration (POST /reg, RFC 7591), so each test registers
//     the redirect URI of the server it started (confidential client, client_secret_basic, code flow);
//   - PKCE (S256) is required for every client;
//   - sign-in is oidc-provider's development interaction: a form that accepts any login and password (the login
//     becomes the subject), then a consent form ("Continue") with a "[ Cancel ]" link that denies consent;
//   - the ID token carries only the protocol claims; profile and email claims come from the userinfo endpoint
//     (oidc-provider's default, conformIdTokenClaims), as with many real providers.
//
// Two test-only routes, outside the provider:
//   PUT  /__test/accounts/<login>   JSON claims for that subject (given_name, family_name, name, email,
//                                   email_verified …). Unknown logins get <login>@oidc.test, verified.
//   POST /__test/tamper             JSON describing how to forge the ID token of the NEXT token response:
//                                   {"iss": …, "aud": …, "nonce": …, "sub": …, "exp": …, "foreign_key": true}
//                                   (re-signed with the provider's key, or with a key it never published), or
//                                   {"status": 503} to answer the next token request with that status.
import http from 'node:http';
import { randomBytes } from 'node:crypto';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? process.env.OIDC_PORT ?? 0);

const accounts = new Map();
let tamper = null;

async function signingKey() {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  return { ...jwk, kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

function defaultClaims(login) {
  return {
    email: `${login}@oidc.test`,
    email_verified: true,
    given_name: login.charAt(0).toUpperCase() + login.slice(1),
    family_name: 'Tester',
  };
}

async function forge(idToken, how, jwk) {
  const payload = { ...jose.decodeJwt(idToken) };
  for (const claim of ['iss', 'aud', 'nonce', 'sub', 'exp', 'azp']) {
    if (claim in how) payload[claim] = how[claim];
  }
  const key = how.foreign_key ? { ...(await signingKey()), kid: jwk.kid } : jwk;
  return new jose.SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .sign(await jose.importJWK(key, 'RS256'));
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      try { resolve(body ? JSON.parse(body) : {}); } catch (err) { reject(err); }
    });
  });
}

const server = http.createServer();
server.listen(port, '127.0.0.1', async () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const jwk = await signingKey();

  const clients = [];
  if (process.env.OIDC_CLIENT_ID && process.env.OIDC_CLIENT_SECRET && process.env.OIDC_REDIRECT_URIS) {
    clients.push({
      client_id: process.env.OIDC_CLIENT_ID,
      client_secret: process.env.OIDC_CLIENT_SECRET,
      redirect_uris: process.env.OIDC_REDIRECT_URIS.split(','),
    });
  }
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    features: {
      devInteractions: { enabled: true },
      registration: { enabled: true },
      revocation: { enabled: true },
    },
    pkce: { required: () => true },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'picture'],
    },
    async findAccount(ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return { ...(accounts.get(sub) ?? defaultClaims(sub)), sub };
        },
      };
    },
  });
  provider.proxy = false;

  provider.use(async (ctx, next) => {
    if (ctx.path !== '/token' || !tamper) return next();
    const how = tamper;
    tamper = null;
    if (how.status) {
      ctx.status = how.status;
      ctx.body = { error: 'temporarily_unavailable', error_description: 'the test asked for this failure' };
      return undefined;
    }
    await next();
    if (ctx.status === 200 && ctx.body && ctx.body.id_token) {
      ctx.body = { ...ctx.body, id_token: await forge(ctx.body.id_token, how, jwk) };
    }
    return undefined;
  });

  const handle = provider.callback();
  server.on('request', async (req, res) => {
    const url = new URL(req.url, issuer);
    try {
      if (req.method === 'PUT' && url.pathname.startsWith('/__test/accounts/')) {
        accounts.set(decodeURIComponent(url.pathname.slice('/__test/accounts/'.length)), await readJson(req));
        res.writeHead(204).end();
        return;
      }
      if (req.method === 'POST' && url.pathname === '/__test/tamper') {
        tamper = await readJson(req);
        res.writeHead(204).end();
        return;
      }
    } catch (err) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(String(err));
      return;
    }
    handle(req, res);
  });

  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
}
