// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and server-only packages stay out of the bundle and load from node_modules.
  serverExternalPackages: ['better-sqlite3', 'pg', 'kafkajs', 'bcryptjs'],
  poweredByHeader: false,
  // The build refuses type errors in what it ships; tests, bench and scripts are checked by `npm test`.
  typescript: { tsconfigPath: 'tsconfig.build.json' },
  reactStrictMode: true,
  // forbidden() answers a page request from a too-low role with a real 403 and app/forbidden.tsx.
  experimental: { authInterrupts: true },
};

module.exports = nextConfig;
