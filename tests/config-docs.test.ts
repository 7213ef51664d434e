import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../core/config/config.js';

describe('configuration documentation', () => {
  const names = Object.keys(envSchema.shape);

  it('documents every variable in .env.example', async () => {
    const example = await readFile('.env.example', 'utf8');
    const listed = [...example.matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect([...listed].sort()).toEqual([...names].sort());
  });

  it('documents every variable in the README table', async () => {
    const readme = await readFile('README.md', 'utf8');
    const listed = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]);
    expect([...listed].sort()).toEqual([...names].sort());
  });
});
