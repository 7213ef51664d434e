// `npm start`: build when dist/ is missing or older than the sources, then run the service in this
// process (no wrapper child, so Ctrl-C and SIGTERM reach the service directly).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist', 'bin', 'main.js');
const SOURCES = ['bin', 'core', 'api', 'workers', 'integrations', 'dashboard', 'migrations'];

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

const built = existsSync(entry) ? statSync(entry).mtimeMs : 0;
const sources = Math.max(
  statSync(path.join(root, 'package.json')).mtimeMs,
  statSync(path.join(root, 'tsconfig.json')).mtimeMs,
  ...SOURCES.filter((d) => existsSync(path.join(root, d))).map((d) => newestSource(path.join(root, d))),
);
if (sources > built) {
  process.stdout.write('Building (npm run build)…\n');
  try {
    execFileSync(
      process.execPath,
      [
        path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        path.join(root, 'tsconfig.build.json'),
      ],
      { stdio: 'inherit' },
    );
  } catch {
    process.stderr.write('yunying: the build failed (see the errors above)\n');
    process.exit(1);
  }
}
await import(pathToFileURL(entry).href);
