// Fails when src/gql/ is not what `npm run codegen` would produce now (schema or documents changed, or someone
// edited generated code). Regenerates into a temporary folder and compares, so it works on uncommitted trees.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const committed = join(root, 'src', 'gql');
const fresh = mkdtempSync(join(tmpdir(), 'codegen-'));

function files(dir) {
  const out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else out.push(path);
  }
  return out;
}

try {
  const bin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'graphql-codegen.cmd' : 'graphql-codegen');
  const run = spawnSync(bin, ['--config', 'codegen.ts'], {
    cwd: root,
    env: { ...process.env, CODEGEN_OUT: fresh + '/' },
    stdio: 'inherit',
  });
  if (run.status !== 0) {
    console.error('codegen: generation failed');
    process.exit(run.status ?? 1);
  }
  const want = new Map(files(fresh).map((p) => [relative(fresh, p), readFileSync(p, 'utf8')]));
  const have = new Map(files(committed).map((p) => [relative(committed, p), readFileSync(p, 'utf8')]));
  const problems = [];
  for (const [name, text] of want) {
    if (!have.has(name)) problems.push(`missing: src/gql/${name}`);
    else if (have.get(name) !== text) problems.push(`out of date: src/gql/${name}`);
  }
  for (const name of have.keys()) if (!want.has(name)) problems.push(`unexpected: src/gql/${name}`);
  if (problems.length) {
    console.error('codegen: generated code is stale. Run `npm run codegen` and commit src/gql/.');
    for (const p of problems) console.error('  ' + p);
    process.exit(1);
  }
  console.log(`codegen: src/gql/ is up to date (${want.size} files)`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
