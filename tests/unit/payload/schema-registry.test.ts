import { describe, expect, it } from 'vitest';
import { parseConfig } from '@/lib/config/parse';
import { schemaRegistrySchema } from '@/lib/config/registry-schema';
import { bytesToBase64 } from '@/lib/payload/bytes';
import { confluentSchemaId, decodeBody } from '@/lib/payload/decode-body';
import { registryLine } from '@/lib/payload/schema-view';
import { decodeWithRegistry, toJsonValue } from '@/server/schema-registry/decode-confluent';
import {
  MessageIndexError,
  messageTypeIndex,
  readMessageIndexes,
  writeMessageIndexes,
} from '@/server/schema-registry/protobuf-types';

const wire = (id: number, ...rest: number[]) => {
  const bytes = new Uint8Array(5 + rest.length);
  new DataView(bytes.buffer).setInt32(1, id);
  bytes.set(rest, 5);
  return bytes;
};

describe('Confluent wire format', () => {
  it('reads the schema id as a big-endian int after magic byte 0', () => {
    expect(confluentSchemaId(wire(1, 0x41))).toBe(1);
    expect(confluentSchemaId(wire(0x01020304, 0x41))).toBe(0x01020304);
    expect(confluentSchemaId(wire(2 ** 31 - 1, 0))).toBe(2 ** 31 - 1);
  });

  it('needs at least one byte after the header', () => {
    expect(confluentSchemaId(wire(5))).toBeNull();
  });

  it('does not mistake text or JSON for the wire format', () => {
    const utf8 = (s: string) => new TextEncoder().encode(s);
    expect(confluentSchemaId(utf8('{"a":1}'))).toBeNull();
    expect(confluentSchemaId(utf8('\u0000'))).toBeNull();
  });
});

describe('the registry line', () => {
  it('names type, subject, version and id of a decoded body', () => {
    expect(
      registryLine({
        status: 'decoded',
        schemaId: 7,
        schemaType: 'AVRO',
        subject: 'orders-value',
        version: 3,
      }),
    ).toBe('Avro · subject orders-value · version 3 · schema id 7');
    expect(
      registryLine({ status: 'decoded', schemaId: 8, schemaType: 'PROTOBUF', subject: null, version: null }),
    ).toBe('Protobuf · subject unknown · schema id 8');
    expect(
      registryLine({
        status: 'decoded',
        schemaId: 8,
        schemaType: 'PROTOBUF',
        subject: 'pay-value',
        version: 2,
        messageType: 'pay.Refund.Line',
      }),
    ).toBe('Protobuf pay.Refund.Line · subject pay-value · version 2 · schema id 8');
  });

  it('says why a body is shown as hex', () => {
    expect(
      registryLine({
        status: 'mismatch',
        schemaId: 7,
        schemaType: 'JSON',
        subject: 'e',
        version: 1,
        error: 'truncated buffer',
      }),
    ).toBe('JSON Schema · subject e · version 1 · does not match schema 7: truncated buffer; shown as hex');
    expect(registryLine({ status: 'unknown-schema', schemaId: 9, error: 'not found' })).toMatch(
      /schema id 9: not in the registry \(not found\); shown as hex$/,
    );
    expect(registryLine({ status: 'unreachable', schemaId: 9, error: 'connect ECONNREFUSED' })).toMatch(
      /could not be reached \(connect ECONNREFUSED\)/,
    );
    expect(registryLine({ status: 'no-registry', schemaId: 42 })).toBe(
      'Confluent wire format, schema id 42 (no registry configured)',
    );
  });
});

describe('decoding without a registry', () => {
  it('marks a wire-format body and leaves others alone', async () => {
    const bytes = wire(42, 0x02, 0x06);
    const body = { text: null, base64: bytesToBase64(bytes), size: bytes.length };
    const decoded = await decodeWithRegistry(decodeBody(body), body, null);
    expect(decoded).toMatchObject({ kind: 'confluent', schemaId: 42, registry: { status: 'no-registry' } });
    const json = { text: '{"a":1}', base64: btoa('{"a":1}'), size: 7 };
    expect(await decodeWithRegistry(decodeBody(json), json, null)).toEqual(decodeBody(json));
  });
});

describe('decoded records as JSON', () => {
  it('turns bytes into base64, bigints into strings and keeps nesting', () => {
    expect(
      toJsonValue({ a: new Uint8Array([1, 2, 3]), n: 2n ** 64n, list: [null, undefined, { x: 1 }] }),
    ).toEqual({
      a: 'AQID',
      n: '18446744073709551616',
      list: [null, null, { x: 1 }],
    });
  });

  it('uses an object’s own toJSON (Protobuf messages) and never sets __proto__', () => {
    expect(toJsonValue({ toJSON: () => ({ cents: '12' }) })).toEqual({ cents: '12' });
    const hostile = toJsonValue(JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(hostile)).toBe(Object.prototype);
    expect(Object.keys(hostile)).toEqual(['__proto__']);
  });
});

describe('the schemaRegistry config', () => {
  it('takes a URL and env var names, never secrets', () => {
    expect(schemaRegistrySchema.parse({ url: 'http://sr:8081' })).toEqual({
      url: 'http://sr:8081',
      timeoutMs: 3000,
    });
    expect(
      schemaRegistrySchema.safeParse({ url: 'https://sr', usernameEnv: 'SR_USER', passwordEnv: 'SR_PASS' })
        .success,
    ).toBe(true);
    expect(schemaRegistrySchema.safeParse({ url: 'https://sr', tokenEnv: 'SR_TOKEN' }).success).toBe(true);
  });

  it.each([
    ['a user without a password', { url: 'https://sr', usernameEnv: 'U' }],
    ['both token and user', { url: 'https://sr', usernameEnv: 'U', passwordEnv: 'P', tokenEnv: 'T' }],
    ['a secret in place of a name', { url: 'https://sr', tokenEnv: 'abc def!' }],
    ['a non-http URL', { url: 'ftp://sr' }],
    ['an unknown key', { url: 'https://sr', password: 'x' }],
  ])('refuses %s', (_name, input) => {
    expect(schemaRegistrySchema.safeParse(input).success).toBe(false);
  });
});

describe('the registry credentials at start-up', () => {
  const yaml = `
auth:
  credentials:
    users:
      - { email: a@example.com, role: admin, passwordHash: "$2b$10$N9GrlmCb5jyAqw6P.76ZYe3.Kt1PNv5P25dg5LtI6ESaPzqkFFJki" }
kafka:
  clusters:
    - name: prod-eu
      brokers: ["kafka-1:9092"]
      schemaRegistry: { url: "https://sr.internal", usernameEnv: SR_KEY, passwordEnv: SR_SECRET }
`;
  const env = { TIDEWATCH_AUDIT_KEY: 'k'.repeat(32), NEXTAUTH_SECRET: 'x', SR_KEY: 'key' };

  it('refuses a config whose registry password variable is unset, as for every named secret', () => {
    const result = parseConfig(yaml, { env });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.path, i.message])).toEqual([
      ['kafka.clusters[0].schemaRegistry.passwordEnv', 'environment variable SR_SECRET is not set'],
    ]);
  });

  it('passes once it is set', () => {
    expect(parseConfig(yaml, { env: { ...env, SR_SECRET: 's' } }).ok).toBe(true);
  });
});

describe('Protobuf message indexes', () => {
  const at5 = (...bytes: number[]) => Uint8Array.from([0, 0, 0, 0, 1, ...bytes]);

  it('reads the short form, full paths and where the message begins', () => {
    expect(readMessageIndexes(at5(0x00, 0x0a))).toEqual({ indexes: [0], end: 6 });
    expect(readMessageIndexes(at5(0x06, 0x02, 0x00, 0x04, 0x0a))).toEqual({ indexes: [1, 0, 2], end: 9 });
    // 200 as a zig-zag varint is 400: 0x90 0x03.
    expect(readMessageIndexes(at5(0x02, 0x90, 0x03))).toEqual({ indexes: [200], end: 8 });
    for (const path of [[0], [3], [1, 0], [200, 7, 0]]) {
      expect(readMessageIndexes(Buffer.concat([Buffer.alloc(5), writeMessageIndexes(path)])).indexes).toEqual(
        path,
      );
    }
  });

  it('refuses indexes that are cut short, negative counts and overlong varints', () => {
    expect(() => readMessageIndexes(at5(0x04, 0x02))).toThrow(MessageIndexError);
    expect(() => readMessageIndexes(at5(0x01))).toThrow(/not a count/);
    expect(() => readMessageIndexes(at5(0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01))).toThrow(/32-bit/);
  });

  it('names types by index path in declaration order, nested ones included, enums not counted', () => {
    const types = messageTypeIndex(
      'syntax = "proto3"; package a.b; enum E { X = 0; } message M { message N { message O {} } enum F { Y = 0; } message P {} } message Q {}',
    );
    expect(types.nameAt([0])).toBe('a.b.M');
    expect(types.nameAt([1])).toBe('a.b.Q');
    expect(types.nameAt([0, 1])).toBe('a.b.M.P');
    expect(types.nameAt([0, 0, 0])).toBe('a.b.M.N.O');
    expect(types.nameAt([2])).toBeNull();
    expect(types.nameAt([1, 0])).toBeNull();
    expect(types.nameAt([-1])).toBeNull();
    expect(messageTypeIndex('syntax = "proto3"; message Top {}').nameAt([0])).toBe('Top');
  });
});
