import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

describe('src/tier is pure', () => {
  it('imports nothing but its own files: no node:*, prisma, fastify, pg, or clock', async () => {
    const dir = new URL('../../src/tier/', import.meta.url);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const text = await readFile(new URL(file, dir), 'utf8');
      const imports = [...text.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
      for (const spec of imports) expect(spec, `${file} imports ${spec}`).toMatch(/^\.\/[\w-]+\.js$/);
      expect(text, `${file} reads the clock`).not.toMatch(/Date\.now\(|new Date\(\)|performance\.now|process\./);
    }
  });
});
