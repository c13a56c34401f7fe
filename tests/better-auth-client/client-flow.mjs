// Better Auth's own client (`createAuthClient` from npm better-auth) driving a server through the account life cycle:
// sign-up → getSession → sign-out → signIn.email → requestPasswordReset → the mailed link → resetPassword → sign-in
// with the new password. Run against the real Better Auth and against ours by tests/test_rest_clients.py.
//
//   BASE_URL=http://127.0.0.1:8000 MODE=cookie|bearer EMAIL=… APP_ORIGIN=http://app.example node client-flow.mjs
//
// MODE=cookie keeps the session in a cookie jar, like a browser on the server's own origin;
// MODE=bearer keeps no cookies and authenticates with `Authorization: Bearer <set-auth-token>` (bearer plugin), the
// way Better Auth documents for mobile and server-side clients.
// Both send `Origin: <BASE_URL>`: Node's fetch sends `Sec-Fetch-Mode: cors`, and Better Auth then requires a trusted
// Origin on sign-up and sign-in (its CSRF check), so every Node client of Better Auth has to.
// It prints one JSON line per step on stdout. For the mail it prints {"need":"reset-link","email":…} and reads the
// link from the next line of stdin. Exit code 0 when every check held; otherwise the failed check is on stderr.
import assert from "node:assert/strict";
import { createInterface } from "node:readline";
import { createAuthClient } from "better-auth/client";

const env = process.env;
const base = env.BASE_URL;
const mode = env.MODE || "cookie";
const email = env.EMAIL;
const appOrigin = env.APP_ORIGIN;
const password = "correct horse battery staple";
const newPassword = "difference engine 1822 rebuilt";

const stdin = createInterface({ input: process.stdin });
const lines = stdin[Symbol.asyncIterator]();
const report = (step, detail = {}) => console.log(JSON.stringify({ step, ...detail }));

// A browser's cookie jar, reduced to what one origin needs: name → value, Max-Age=0 deletes.
const jar = new Map();
function remember(response) {
  for (const header of response.headers.getSetCookie()) {
    const [pair, ...attrs] = header.split(";");
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attrs.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
    if (expired || value === "") jar.delete(name);
    else jar.set(name, value);
  }
}
const origin = new URL(base).origin;
async function browserFetch(input, init = {}) {
  const headers = new Headers(init.headers);
  if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
  const response = await fetch(input, { ...init, headers });
  remember(response);
  return response;
}

let bearer = null;
const fetchOptions =
  mode === "bearer"
    ? {
        headers: { origin },
        auth: { type: "Bearer", token: () => bearer ?? undefined },
        onSuccess(ctx) {
          const token = ctx.response.headers.get("set-auth-token");
          if (token) bearer = token;
        },
      }
    : { headers: { origin }, customFetchImpl: browserFetch };
const client = createAuthClient({ baseURL: base, fetchOptions });

function ok(result, step) {
  if (result.error) throw new Error(`${step}: ${JSON.stringify(result.error)}`);
  report(step, { data: result.data });
  return result.data;
}

async function main() {
  const signedUp = ok(await client.signUp.email({ name: "Ada Lovelace", email, password }), "sign-up");
  assert.equal(signedUp.user.email, email);
  assert.equal(signedUp.user.name, "Ada Lovelace");
  assert.equal(typeof signedUp.token, "string");
  assert.ok(signedUp.user.createdAt instanceof Date, "dates parse as dates");
  if (mode === "bearer") assert.ok(bearer, "sign-up answers set-auth-token");
  else assert.ok(jar.size > 0, "sign-up sets the session cookie");

  const session = ok(await client.getSession(), "get-session");
  assert.equal(session.user.id, signedUp.user.id);
  assert.equal(session.session.userId, signedUp.user.id);
  assert.ok(session.session.expiresAt > new Date());

  const signedOut = ok(await client.signOut(), "sign-out");
  assert.equal(signedOut.success, true);
  assert.equal(ok(await client.getSession(), "get-session after sign-out"), null);

  const wrong = await client.signIn.email({ email, password: "not the password at all" });
  assert.equal(wrong.error?.status, 401);
  assert.equal(wrong.error?.code, "INVALID_EMAIL_OR_PASSWORD");
  report("sign-in with a wrong password", { error: wrong.error });

  const signedIn = ok(await client.signIn.email({ email, password }), "sign-in");
  assert.equal(signedIn.user.id, signedUp.user.id);
  assert.equal(ok(await client.getSession(), "get-session after sign-in").user.email, email);

  const redirectTo = `${appOrigin}/reset-password`;
  const requested = ok(await client.requestPasswordReset({ email, redirectTo }), "request-password-reset");
  assert.equal(requested.status, true);

  console.log(JSON.stringify({ need: "reset-link", email }));
  const link = (await lines.next()).value.trim();
  report("mailed link", { link });
  assert.ok(link.startsWith(`${base}/api/auth/reset-password/`), `Better Auth's link format: ${link}`);
  assert.equal(new URL(link).searchParams.get("callbackURL"), redirectTo);
  const opened = await fetch(link, { redirect: "manual" }); // the user clicks it in the mail
  assert.equal(opened.status, 302);
  const landing = new URL(opened.headers.get("location"));
  assert.equal(`${landing.origin}${landing.pathname}`, redirectTo);
  const token = landing.searchParams.get("token");
  assert.ok(token, "the link lands on the frontend with ?token=");
  report("link opened", { location: landing.href });

  const reset = ok(await client.resetPassword({ newPassword, token }), "reset-password");
  assert.equal(reset.status, true);
  const again = await client.resetPassword({ newPassword: "yet another long password", token });
  assert.equal(again.error?.code, "INVALID_TOKEN", "a reset token works once");
  assert.equal(ok(await client.getSession(), "get-session after reset"), null, "the reset revoked every session");

  const old = await client.signIn.email({ email, password });
  assert.equal(old.error?.code, "INVALID_EMAIL_OR_PASSWORD", "the old password no longer works");
  const fresh = ok(await client.signIn.email({ email, password: newPassword }), "sign-in with the new password");
  assert.equal(fresh.user.id, signedUp.user.id);
  assert.equal(ok(await client.getSession(), "get-session at the end").user.id, signedUp.user.id);
  report("done");
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error?.stack || String(error));
    process.exit(1);
  },
);
