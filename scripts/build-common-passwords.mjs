// Rebuilds core/identity/data/common-passwords.txt from the `passwords` list of zxcvbn 4.4.2 (MIT).
// zxcvbn is not a dependency of Yunying: unpack its npm tarball in a temporary directory, outside the repo.
//   mkdir -p /tmp/pw && cd /tmp/pw && npm pack zxcvbn@4.4.2 && tar xzf zxcvbn-4.4.2.tgz && cd -
//   node scripts/build-common-passwords.mjs /tmp/pw/package/lib/frequency_lists.js [output file]
// Without an output file it overwrites the bundled list; with one (say /tmp/pw/out.txt) the result can be
// compared with `cmp` to check that the bundled list is what the package gives.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [source, target] = process.argv.slice(2);
if (!source) {
  process.stderr.write(
    'usage: node scripts/build-common-passwords.mjs <zxcvbn/lib/frequency_lists.js> [output file]\n',
  );
  process.exit(2);
}
const lists = createRequire(import.meta.url)(path.resolve(source));
if (!lists.passwords) {
  process.stderr.write(`${source} has no "passwords" list: is it zxcvbn's lib/frequency_lists.js?\n`);
  process.exit(1);
}
const words = [
  ...new Set(
    (Array.isArray(lists.passwords) ? lists.passwords : lists.passwords.split(',')).map((w) =>
      w.trim().toLowerCase(),
    ),
  ),
]
  .filter(Boolean)
  // Code-unit order, the same as `LC_ALL=C sort`: stable whatever the machine's locale.
  .sort();
const out =
  target ??
  path.join(
    path.dirname(fileURLToPath(import.meta.url)),
    '..',
    'core',
    'identity',
    'data',
    'common-passwords.txt',
  );
writeFileSync(out, `${words.join('\n')}\n`);
process.stdout.write(`${words.length} passwords written to ${out}\n`);
