// Rebuilds core/identity/data/common-passwords.txt from the `passwords` list of zxcvbn 4.4.2 (MIT).
// Usage (offline-friendly; the package is not a dependency of Yunying):
//   mkdir -p /tmp/pw && cd /tmp/pw && npm pack zxcvbn@4.4.2 && tar xzf zxcvbn-4.4.2.tgz
//   node scripts/build-common-passwords.mjs /tmp/pw/package/lib/frequency_lists.js
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const source = process.argv[2];
if (!source) {
  process.stderr.write('usage: node scripts/build-common-passwords.mjs <zxcvbn/lib/frequency_lists.js>\n');
  process.exit(2);
}
const lists = createRequire(import.meta.url)(path.resolve(source));
const words = [
  ...new Set(
    (Array.isArray(lists.passwords) ? lists.passwords : lists.passwords.split(',')).map((w) =>
      w.trim().toLowerCase(),
    ),
  ),
]
  .filter(Boolean)
  .sort();
const out = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'core',
  'identity',
  'data',
  'common-passwords.txt',
);
writeFileSync(out, `${words.join('\n')}\n`);
process.stdout.write(`${words.length} passwords written to ${out}\n`);
