// Better Auth 1.7.25 as the reference for the REST tests: the configuration a Better Auth app comparable to ours would
// have (email + password with reset mails, email verification, change-email, delete-user, the bearer plugin, our
// firstName/lastName additional fields), on node:http + PostgreSQL (`pg`). Mails are not sent: each one is written as
// a JSON line to MAIL_LOG, where the tests read the links. Started by the tests (tests/better_auth_reference.py);
// listens on 127.0.0.1 only and stops on SIGTERM.
import { appendFileSync } from "node:fs";
import http from "node:http";
import { betterAuth } from "better-auth";
import { toNodeHandler } from "better-auth/node";
import { bearer } from "better-auth/plugins";
import pg from "pg";

const env = process.env;
const port = Number(env.PORT);
const baseURL = `http://127.0.0.1:${port}`;
const mail = (kind) => async ({ user, url, token }) => {
  appendFileSync(env.MAIL_LOG, JSON.stringify({ kind, to: user.email, url, token }) + "\n");
};
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 5 });

const auth = betterAuth({
  baseURL,
  secret: env.BETTER_AUTH_SECRET,
  database: pool,
  emailAndPassword: {
    enabled: true,
    sendResetPassword: mail("reset-password"),
    revokeSessionsOnPasswordReset: true,
  },
  emailVerification: { sendVerificationEmail: mail("verify-email") },
  user: {
    additionalFields: {
      // Optional with a default, so a client that sends only `name` signs up on both servers (ours splits `name`).
      firstName: { type: "string", required: false, defaultValue: "" },
      lastName: { type: "string", required: false, defaultValue: "" },
    },
    changeEmail: { enabled: true },
    deleteUser: { enabled: true },
  },
  plugins: [bearer()],
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  trustedOrigins: [baseURL, ...(env.TRUSTED_ORIGINS || "").split(",").filter(Boolean)],
});

const server = http.createServer(toNodeHandler(auth));
server.listen(port, "127.0.0.1", () => console.error(`better-auth listening on ${baseURL} (pid ${process.pid})`));
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => pool.end().then(() => process.exit(0))));
}
