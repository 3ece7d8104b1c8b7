import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const nextConfig = createRequire(import.meta.url)(path.join(ROOT, 'next.config.js')) as {
  typescript?: { ignoreBuildErrors?: boolean; tsconfigPath?: string };
};

describe('the production build', () => {
  it('refuses type errors instead of shipping them', () => {
    expect(nextConfig.typescript?.ignoreBuildErrors ?? false).toBe(false);
  });

  it('type-checks every folder the app is built from', () => {
    const file = nextConfig.typescript?.tsconfigPath ?? 'tsconfig.json';
    const { include } = JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as { include: string[] };
    for (const dir of ['app', 'components', 'lib', 'server']) {
      expect(include, dir).toEqual(expect.arrayContaining([`${dir}/**/*.ts`]));
    }
    expect(include).toContain('instrumentation.ts');
  });
});
