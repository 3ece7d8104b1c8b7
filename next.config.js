// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and server-only packages stay out of the bundle and load from node_modules.
  serverExternalPackages: ['better-sqlite3', 'pg', 'kafkajs', 'bcryptjs'],
  poweredByHeader: false,
  reactStrictMode: true,
};

module.exports = nextConfig;
