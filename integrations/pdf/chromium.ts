import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findExecutable } from '../../core/process.js';

const run = promisify(execFile);

/** Names Debian, Ubuntu and Chrome installs use, in order of preference. */
const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

export const CHROMIUM_INSTALL_HINT =
  'Install Chromium (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH to a Chrome/Chromium binary.';

/** CHROMIUM_PATH when given, else the first Chromium found on PATH; null when there is none. */
export async function findChromium(configured: string | null, systemPath: string): Promise<string | null> {
  if (configured) return configured;
  for (const name of CANDIDATES) {
    const found = await findExecutable(name, systemPath);
    if (found) return found;
  }
  return null;
}

/** Runs `chromium --version`; throws when the binary does not start. */
export async function chromiumVersion(binary: string): Promise<string> {
  const { stdout } = await run(binary, ['--version'], { timeout: 15_000 });
  return stdout.trim();
}
