import { describe, expect, it } from 'vitest';
import type { Role } from '@/lib/auth/roles';
import { type MaskingRuleConfig, maskingConfigSchema } from '@/lib/config/masking-schema';
import { FAILURE_TEXT_HEADERS } from '@/lib/dead-letters/failure-facts';
import { failureReason } from '@/lib/dead-letters/failure-reason';
import { MASK, type MaskableView, maskMessage, rulesFor } from '@/lib/masking/mask-fields';
import { bytesToBase64 } from '@/lib/payload/bytes';
import { decodeBody } from '@/lib/payload/decode-body';

const utf8 = (s: string) => new TextEncoder().encode(s);
const bytes = (s: string) => ({ text: s, base64: bytesToBase64(utf8(s)), size: utf8(s).length });
const rule = (partial: Partial<MaskingRuleConfig>): MaskingRuleConfig =>
  maskingConfigSchema.parse({ rules: [{ fields: [], headers: [], ...partial }] })
    .rules[0] as MaskingRuleConfig;

function view(body: unknown, headers: Record<string, string> = {}): MaskableView {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    body: decodeBody(utf8(text)),
    headers: Object.entries(headers).map(([key, value]) => ({ key, value: bytes(value) })),
  };
}

const jsonOf = (masked: ReturnType<typeof maskMessage>) => {
  if (masked.body.kind !== 'json') throw new Error(`expected JSON, got ${masked.body.kind}`);
  return masked.body.value;
};

const ORDER = {
  payload: {
    card: { number: '4111111111111111', expiry: '12/29' },
    customer: {
      name: 'Ada',
      email: 'ada@example.com',
      contacts: [{ email: 'ops@example.com', phone: 5551234 }],
    },
    items: [
      { sku: 'A', price: 10 },
      { sku: 'B', price: 20 },
    ],
  },
  email: 'top@example.com',
};

describe('maskMessage: JSON fields', () => {
  it.each<[string, string[], unknown]>([
    [
      'a path from the root',
      ['payload.card.number'],
      { ...ORDER, payload: { ...ORDER.payload, card: { number: '•••• (masked string)', expiry: '12/29' } } },
    ],
    [
      'a whole object, with its type kept',
      ['payload.card'],
      { ...ORDER, payload: { ...ORDER.payload, card: '•••• (masked object)' } },
    ],
    [
      '*.email at any depth, arrays included',
      ['*.email'],
      {
        payload: {
          ...ORDER.payload,
          customer: {
            name: 'Ada',
            email: '•••• (masked string)',
            contacts: [{ email: '•••• (masked string)', phone: 5551234 }],
          },
        },
        email: '•••• (masked string)',
      },
    ],
    [
      'arrays crossed by a plain key',
      ['payload.items.price'],
      {
        ...ORDER,
        payload: {
          ...ORDER.payload,
          items: [
            { sku: 'A', price: '•••• (masked number)' },
            { sku: 'B', price: '•••• (masked number)' },
          ],
        },
      },
    ],
    [
      'one element by index',
      ['payload.items[1].price'],
      {
        ...ORDER,
        payload: {
          ...ORDER.payload,
          items: [
            { sku: 'A', price: 10 },
            { sku: 'B', price: '•••• (masked number)' },
          ],
        },
      },
    ],
    [
      'a one-key wildcard',
      ['payload.*.number'],
      { ...ORDER, payload: { ...ORDER.payload, card: { number: '•••• (masked string)', expiry: '12/29' } } },
    ],
    ['a path that names nothing', ['payload.nothing.here', 'email.deeper'], ORDER],
  ])('%s', (_name, fields, expected) => {
    const masked = maskMessage(view(ORDER), [rule({ fields })], 'viewer');
    expect(jsonOf(masked)).toEqual(expected);
  });

  it('removes instead of masking when the rule says so', () => {
    const masked = maskMessage(
      view(ORDER),
      [rule({ fields: ['*.email', 'payload.items[0]'], action: 'remove' })],
      'operator',
    );
    const value = jsonOf(masked) as typeof ORDER;
    expect(value.email).toBeUndefined();
    expect('email' in value.payload.customer).toBe(false);
    expect(value.payload.customer.contacts).toEqual([{ phone: 5551234 }]);
    expect(value.payload.items).toEqual([{ sku: 'B', price: 20 }]);
    expect(masked.masking).toMatchObject({ fields: 4, bodyHidden: false });
  });

  it('reprints the JSON it shows from the masked value', () => {
    const masked = maskMessage(view(ORDER), [rule({ fields: ['payload.card.number'] })], 'viewer');
    if (masked.body.kind !== 'json') throw new Error('expected JSON');
    expect(masked.body.pretty).not.toContain('4111');
    expect(masked.body.pretty).toContain('"number": "•••• (masked string)"');
  });

  it('never mutates its input', () => {
    const input = view(ORDER, { authorization: 'Bearer secret' });
    const before = structuredClone(input);
    maskMessage(
      input,
      [rule({ fields: ['*.email', 'payload.card'], headers: ['authorization'], action: 'remove' })],
      'viewer',
    );
    maskMessage(input, [rule({ fields: ['*.email'], headers: ['authorization'] })], 'viewer');
    expect(input).toEqual(before);
  });
});

describe('maskMessage: roles', () => {
  it.each<[Role, MaskingRuleConfig['visibleTo'], boolean]>([
    ['viewer', 'admin', true],
    ['operator', 'admin', true],
    ['admin', 'admin', false],
    ['viewer', 'operator', true],
    ['operator', 'operator', false],
    ['admin', 'operator', false],
    ['viewer', 'viewer', false],
  ])('%s under visibleTo %s: masked %s', (role, visibleTo, masked) => {
    const out = maskMessage(view(ORDER), [rule({ fields: ['payload.card.number'], visibleTo })], role);
    expect(JSON.stringify(jsonOf(out)).includes('4111111111111111')).toBe(!masked);
    expect(out.masking.rules).toHaveLength(masked ? 1 : 0);
  });

  it('defaults visibleTo to admin', () => {
    expect(rule({ fields: ['a'] }).visibleTo).toBe('admin');
  });
});

describe('maskMessage: headers and attributes', () => {
  it('masks or removes header keys by case-insensitive glob, keeping repeated keys apart', () => {
    const input: MaskableView = {
      body: decodeBody(null),
      headers: [
        { key: 'Authorization', value: bytes('Bearer abc') },
        { key: 'x-api-key', value: bytes('k1') },
        { key: 'x-api-key', value: bytes('k2') },
        { key: 'x-api-version', value: null },
        { key: 'correlationId', value: bytes('c-1') },
      ],
      systemAttributes: { SenderId: 'AIDAEXAMPLE', SentTimestamp: '1796225612591' },
    };
    const masked = maskMessage(
      input,
      [rule({ headers: ['authorization', 'senderid'] }), rule({ headers: ['X-API-*'], action: 'remove' })],
      'viewer',
    );
    expect(masked.headers).toEqual([
      {
        key: 'Authorization',
        value: { text: MASK, base64: bytesToBase64(utf8(MASK)), size: utf8(MASK).length },
      },
      { key: 'correlationId', value: bytes('c-1') },
    ]);
    expect(masked.systemAttributes).toEqual({ SenderId: MASK, SentTimestamp: '1796225612591' });
    expect(masked.masking.headers).toBe(5);
    // No raw byte of a masked header survives.
    expect(JSON.stringify(masked)).not.toMatch(/Bearer|QmVhcmVy|k1|k2/);
  });
});

describe('maskMessage: bodies that are not JSON', () => {
  it('masks key=value, key: value and "key": "value" in text of each path’s last key', () => {
    const text =
      'card.number=4111111111111111&email=ada@example.com\nEmail: "bob@example.com"\n{"email":"c@d.e", "emailVerified": true}';
    const masked = maskMessage(view(text), [rule({ fields: ['payload.card.number', '*.email'] })], 'viewer');
    if (masked.body.kind !== 'text') throw new Error('expected text');
    expect(masked.body.text).toBe(
      `card.number=${MASK}&email=${MASK}\nEmail: ${MASK}\n{"email":${MASK}, "emailVerified": true}`,
    );
    expect(masked.masking.fields).toBe(4);
  });

  it('hides text when a path ends in a wildcard, since no key can be searched for', () => {
    const masked = maskMessage(view('secret=1'), [rule({ fields: ['payload.*'] })], 'viewer');
    expect(masked.body).toEqual({ kind: 'hidden', size: 8, reason: 'a masking rule ends in a wildcard' });
    expect(masked.masking.bodyHidden).toBe(true);
  });

  it('hides binary bodies and the raw bytes of Confluent-framed ones', () => {
    const binary: MaskableView = { body: decodeBody(Uint8Array.from([0, 0xff, 0x41, 0x42])), headers: [] };
    expect(maskMessage(binary, [rule({ fields: ['card'] })], 'viewer').body).toMatchObject({
      kind: 'hidden',
      size: 4,
    });

    const framed = Uint8Array.from([0, 0, 0, 0, 9, ...utf8('{"card":"4111","ok":1}')]);
    const confluent = maskMessage(
      { body: decodeBody(framed), headers: [] },
      [rule({ fields: ['card'] })],
      'viewer',
    );
    expect(confluent.body).toMatchObject({
      kind: 'confluent',
      schemaId: 9,
      rest: { base64: '', size: framed.length - 5 },
      inner: { kind: 'json', value: { card: '•••• (masked string)', ok: 1 } },
    });
  });

  it('leaves bodies alone under header-only rules, and everything for a role that may see it', () => {
    const binary: MaskableView = { body: decodeBody(Uint8Array.from([0, 0xff, 0x41])), headers: [] };
    expect(maskMessage(binary, [rule({ headers: ['x'] })], 'viewer').body.kind).toBe('binary');
    expect(maskMessage(binary, [rule({ fields: ['card'] })], 'admin').body.kind).toBe('binary');
  });
});

describe('maskMessage: hostile JSON', () => {
  it('keeps __proto__, constructor and prototype as plain keys and pollutes nothing', () => {
    const text =
      '{"__proto__":{"polluted":true,"email":"a@b.c"},"constructor":{"prototype":{"email":"x@y.z"}},"email":"q@r.s"}';
    const masked = maskMessage(view(text), [rule({ fields: ['*.email', '__proto__.polluted'] })], 'viewer');
    const value = jsonOf(masked) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(value))).toEqual(
      JSON.parse(
        '{"__proto__":{"polluted":"•••• (masked boolean)","email":"•••• (masked string)"},"constructor":{"prototype":{"email":"•••• (masked string)"}},"email":"•••• (masked string)"}',
      ),
    );
  });

  it('rules naming __proto__ match only a key of that name', () => {
    const masked = maskMessage(
      view({ a: 1 }),
      [rule({ fields: ['__proto__', 'constructor.name'] })],
      'viewer',
    );
    expect(jsonOf(masked)).toEqual({ a: 1 });
    expect(masked.masking.fields).toBe(0);
  });

  it('hides what lies deeper than it walks, and survives very deep nesting', () => {
    let deep: unknown = { email: 'deep@example.com' };
    for (let i = 0; i < 300; i++) deep = { next: deep };
    const masked = maskMessage(view(deep), [rule({ fields: ['*.email'] })], 'viewer');
    expect(JSON.stringify(jsonOf(masked))).not.toContain('deep@example.com');
    expect(JSON.stringify(jsonOf(masked))).toContain('nested too deep to check');

    const arrays = `${'['.repeat(50_000)}"a@b.c"${']'.repeat(50_000)}`;
    expect(() => maskMessage(view(arrays), [rule({ fields: ['*.email'] })], 'viewer')).not.toThrow();
  });
});

describe('rulesFor', () => {
  const config = maskingConfigSchema.parse({
    rules: [
      { name: 'everywhere', headers: ['authorization'] },
      { name: 'payments', match: { topic: 'payments.*' }, fields: ['card'] },
      { name: 'eu orders', match: { cluster: 'prod-eu', queue: 'orders-*' }, fields: ['email'] },
    ],
  });
  it.each([
    [{ cluster: 'prod-eu', topic: 'payments.DLT' }, ['everywhere', 'payments']],
    [{ cluster: 'prod-eu', topic: 'orders.DLT' }, ['everywhere']],
    [{ cluster: 'prod-eu', queue: 'orders-dlq' }, ['everywhere', 'eu orders']],
    [{ cluster: 'prod-us', queue: 'orders-dlq' }, ['everywhere']],
  ])('%o → %o', (where, names) => {
    expect(rulesFor(config, where).map((r) => r.name)).toEqual(names);
  });

  it('no config, no rules', () => {
    expect(rulesFor(undefined, { topic: 'x' })).toEqual([]);
  });
});

describe('maskMessage: the failure reason', () => {
  it('masks key=value forms in the exception message and trace, and nothing for a role that may see them', () => {
    const input = {
      ...view(ORDER),
      failure: {
        convention: 'spring-kafka',
        message: 'Rejected order for email=ada@example.com',
        stackTrace:
          'java.lang.IllegalStateException: card.number: 4111111111111111\n\tat Shop.pay(Shop.java:3)',
      },
    };
    const rules = [rule({ fields: ['*.email', 'payload.card.number'] })];
    const masked = maskMessage(input, rules, 'viewer');
    expect(masked.failure).toEqual({
      convention: 'spring-kafka',
      message: `Rejected order for email=${MASK}`,
      stackTrace: `java.lang.IllegalStateException: card.number: ${MASK}\n\tat Shop.pay(Shop.java:3)`,
    });
    expect(input.failure.message).toContain('ada@example.com');
    expect(maskMessage(input, rules, 'admin').failure).toEqual(input.failure);
  });
});

describe('maskMessage: exception headers', () => {
  it('a header rule on the exception headers hides the failure texts read from them', () => {
    const input = {
      ...view(ORDER),
      failure: { message: 'card 4111111111111111 refused', stackTrace: 'trace' },
    };
    const masked = maskMessage(input, [rule({ headers: ['kafka_dlt-exception-message'] })], 'viewer');
    expect(masked.failure).toEqual({ message: MASK, stackTrace: 'trace' });
    const removed = maskMessage(input, [rule({ headers: ['*-exception-*'], action: 'remove' })], 'viewer');
    expect(removed.failure).toEqual({ message: null, stackTrace: null });
  });

  it('names the headers the failure reason really reads the texts from', () => {
    const markers: Record<string, string> = {
      kafka_dlt: 'kafka_dlt-original-topic',
      __connect: '__connect.errors.topic',
      MT: 'MT-Fault-ExceptionType',
      NServiceBus: 'NServiceBus.FailedQ',
    };
    const marker = (key: string) => markers[key.split(/[-.]/)[0] as string] as string;
    for (const key of FAILURE_TEXT_HEADERS.message) {
      const reason = failureReason({
        headers: [
          { key: marker(key), value: bytes('x') },
          { key, value: bytes('m') },
        ],
      });
      expect([key, reason.message]).toEqual([key, 'm']);
    }
    for (const key of FAILURE_TEXT_HEADERS.stackTrace) {
      const reason = failureReason({
        headers: [
          { key: marker(key), value: bytes('x') },
          { key, value: bytes('t') },
        ],
      });
      expect([key, reason.stackTrace]).toEqual([key, 't']);
    }
  });
});
