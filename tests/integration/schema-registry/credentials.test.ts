import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApicurioRegistry, startApicurio } from '@/scripts/peers/apicurio/index';
import { createRegistryClient } from '@/server/schema-registry/client';

/*
 * The registry's credentials as the product sends them, against Apicurio Registry behind an
 * authenticating reverse proxy (Apicurio 2.x itself authenticates through Keycloak only).
 */

const SCHEMA = { type: 'record', name: 'Ping', fields: [{ name: 'n', type: 'int' }] };
let registry: ApicurioRegistry;
let proxy: Server;
let proxyUrl: string;
let id: number;
const seen: (string | undefined)[] = [];

beforeAll(async () => {
  registry = await startApicurio();
  const res = await fetch(`${registry.url}/subjects/ping-value/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(SCHEMA) }),
  });
  id = ((await res.json()) as { id: number }).id;
  const target = new URL(registry.url);
  const allowed = new Set([`Basic ${Buffer.from('sr-key:sr-secret').toString('base64')}`, 'Bearer t0ken']);
  proxy = createServer((req, res) => {
    seen.push(req.headers.authorization);
    if (!allowed.has(req.headers.authorization ?? '')) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error_code":40101,"message":"Unauthorized"}');
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}${target.pathname}`;
}, 600_000);

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await registry?.stop();
});

const record = (n: number) => Buffer.concat([Buffer.from([0, 0, 0, 0, id]), Buffer.from([n * 2])]);

describe('registry credentials', () => {
  it('sends basic auth from the named variables and decodes', async () => {
    const env = { SR_KEY: 'sr-key', SR_SECRET: 'sr-secret' };
    const client = createRegistryClient(
      { url: proxyUrl, usernameEnv: 'SR_KEY', passwordEnv: 'SR_SECRET', timeoutMs: 3000 },
      env,
    );
    expect(await client.lookup(id)).toEqual({
      ok: true,
      facts: { schemaType: 'AVRO', subject: 'ping-value', version: 1 },
    });
    expect(await client.decode(record(21))).toEqual({ value: { n: 21 } });
  });

  it('sends a bearer token', async () => {
    const client = createRegistryClient(
      { url: proxyUrl, tokenEnv: 'SR_TOKEN', timeoutMs: 3000 },
      { SR_TOKEN: 't0ken' },
    );
    expect((await client.lookup(id)).ok).toBe(true);
    expect(seen.at(-1)).toBe('Bearer t0ken');
  });

  it('says the registry refused wrong credentials, without repeating them', async () => {
    const env = { SR_KEY: 'sr-key', SR_SECRET: 'wrong' };
    const client = createRegistryClient(
      { url: proxyUrl, usernameEnv: 'SR_KEY', passwordEnv: 'SR_SECRET', timeoutMs: 3000 },
      env,
    );
    const result = await client.lookup(id);
    expect(result).toMatchObject({ ok: false, status: 'unreachable', error: 'Unauthorized' });
    expect(JSON.stringify(result)).not.toContain('wrong');
  });

  it('says which variable is missing', async () => {
    const client = createRegistryClient({ url: proxyUrl, tokenEnv: 'SR_NOPE', timeoutMs: 3000 }, {});
    expect(await client.lookup(id)).toMatchObject({
      ok: false,
      status: 'unreachable',
      error: 'environment variable SR_NOPE is not set',
    });
  });
});
