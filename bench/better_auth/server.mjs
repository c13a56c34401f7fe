// Better Auth 1.7 as a user would deploy it: node:http + toNodeHandler, PostgreSQL through `pg` (Kysely dialect),
// email + password, our `user.firstName`/`lastName` columns as additional fields. One process per WORKERS (cluster).
// Started and stopped by bench/run.py; listens on 127.0.0.1 only.
import cluster from "node:cluster";
import http from "node:http";
import { betterAuth } from "better-auth";
import { toNodeHandler } from "better-auth/node";
import pg from "pg";

const env = process.env;
const port = Number(env.PORT);
const workers = Math.max(1, Number(env.WORKERS || 1));
const baseURL = `http://127.0.0.1:${port}`;

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on("exit", (worker, code) => {
    console.error(`better-auth worker ${worker.process.pid} exited (${code})`);
    process.exitCode = 1;
  });
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.on(signal, () => {
      for (const w of Object.values(cluster.workers)) w.kill(signal);
      process.exit(0);
    });
  }
} else {
  const auth = betterAuth({
    baseURL,
    secret: env.BETTER_AUTH_SECRET,
    database: new pg.Pool({ connectionString: env.DATABASE_URL, max: Number(env.POOL_SIZE || 10) }),
    emailAndPassword: { enabled: true, autoSignIn: true },
    user: {
      additionalFields: {
        firstName: { type: "string", required: true },
        lastName: { type: "string", required: true },
      },
    },
    rateLimit: { enabled: false }, // ours runs with its limits raised out of the way (still counted in SQL)
    telemetry: { enabled: false },
    trustedOrigins: [baseURL],
  });
  const server = http.createServer(toNodeHandler(auth));
  server.keepAliveTimeout = 65_000;
  server.listen(port, "127.0.0.1", () => console.error(`better-auth listening on ${baseURL} (pid ${process.pid})`));
}
