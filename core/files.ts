import { randomUUID } from 'node:crypto';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a file under DATA_DIR through a temporary name and a rename, so a crash or a full disk never
 * leaves half a file under the real name (a reader sees the old file or the whole new one).
 */
export async function writeFileAtomically(file: string, bytes: Buffer, mode = 0o640): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, bytes, { mode });
    await rename(temp, file);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
