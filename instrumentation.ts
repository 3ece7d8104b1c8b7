// Next runs this once per server start; the Node-only work lives in its own file so the edge build skips it.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') await import('./server/startup');
}
