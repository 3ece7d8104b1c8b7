import { describe, expect, it } from 'vitest';
import { parseConfig } from '@/lib/config/parse';
import { DEFAULT_ENVELOPE_LOCATIONS } from '@/lib/envelope/default-locations';
import { ENVELOPE_FIELDS, extractEnvelope, MAX_BUSINESS_KEYS } from '@/lib/envelope/extract-envelope';
import { parseLocation } from '@/lib/envelope/locations';
import { DEFAULT_ENVELOPE_RULES, envelopeRules } from '@/lib/envelope/rules';
import { json, kafka } from './messages';

const AUTH = 'auth:\n  github: { clientId: x, clientSecretEnv: GH }\n';

function rulesFrom(yaml: string) {
  const result = parseConfig(AUTH + yaml);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return envelopeRules(result.config.envelope);
}

describe('the envelope config section', () => {
  it('is optional, and its defaults are the built-in lists', () => {
    const result = parseConfig(AUTH);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.envelope).toEqual({
      maxBodyBytes: 1024 * 1024,
      summaryChars: 160,
      locations: {},
      businessKeys: [],
    });
    expect(envelopeRules(result.config.envelope)).toEqual(DEFAULT_ENVELOPE_RULES);
    expect(DEFAULT_ENVELOPE_RULES.locations).toEqual(DEFAULT_ENVELOPE_LOCATIONS);
  });

  it('every built-in location parses', () => {
    for (const field of ENVELOPE_FIELDS) {
      for (const text of DEFAULT_ENVELOPE_LOCATIONS[field])
        expect(parseLocation(text), text).toMatchObject({ ok: true });
    }
  });

  it('a list replaces the built-in one; `defaults` keeps it in place', () => {
    const rules = rulesFrom(
      'envelope:\n  locations:\n    correlationId: [header:x-flow-id, defaults]\n    eventId: [body:id]\n',
    );
    expect(rules.locations.correlationId).toEqual([
      'header:x-flow-id',
      ...DEFAULT_ENVELOPE_LOCATIONS.correlationId,
    ]);
    expect(rules.locations.eventId).toEqual(['body:id']);
    expect(rules.locations.eventType).toEqual(DEFAULT_ENVELOPE_LOCATIONS.eventType);

    const input = kafka(json({ id: 'evt-9', event_id: 'not-read', correlation_id: 'body-flow' }), {
      'x-flow-id': 'flow-1',
    });
    expect(extractEnvelope(input, rules)).toMatchObject({ eventId: 'evt-9', correlationId: 'flow-1' });
    expect(extractEnvelope(kafka(json({ correlation_id: 'body-flow' })), rules).correlationId).toBe(
      'body-flow',
    );
  });

  const BAD: { name: string; yaml: string; path: string; line: number; message: RegExp }[] = [
    {
      name: 'a location without a kind',
      yaml: 'envelope:\n  locations:\n    correlationId:\n      - header:x-flow-id\n      - flow_id\n',
      path: 'envelope.locations.correlationId[1]',
      line: 7,
      message: /"flow_id" is not a location/,
    },
    {
      name: 'an unknown decoder',
      yaml: 'envelope:\n  locations:\n    correlationId: ["header:b3#zipkin"]\n',
      path: 'envelope.locations.correlationId[0]',
      line: 5,
      message: /unknown decoder "#zipkin"/,
    },
    {
      name: 'a path into the prototype',
      yaml: 'envelope:\n  locations:\n    eventId: ["body:__proto__.id"]\n',
      path: 'envelope.locations.eventId[0]',
      line: 5,
      message: /__proto__/,
    },
    {
      name: 'a field that does not exist',
      yaml: 'envelope:\n  locations:\n    traceId: [header:traceparent]\n',
      path: 'envelope.locations',
      line: 5,
      message: /unknown key: traceId/,
    },
    {
      name: 'an empty list',
      yaml: 'envelope:\n  locations:\n    eventId: []\n',
      path: 'envelope.locations.eventId',
      line: 5,
      message: /at least one location/,
    },
    {
      name: 'defaults twice',
      yaml: 'envelope:\n  locations:\n    eventId: [defaults, body:id, defaults]\n',
      path: 'envelope.locations.eventId',
      line: 5,
      message: /once/,
    },
    {
      name: 'a body cap below 1 KiB',
      yaml: 'envelope:\n  maxBodyBytes: 10\n',
      path: 'envelope.maxBodyBytes',
      line: 4,
      message: /1024/,
    },
    {
      name: 'a business key path into the prototype',
      yaml: 'envelope:\n  businessKeys:\n    - eventType: "Order*"\n      name: order_id\n      path: constructor.name\n',
      path: 'envelope.businessKeys[0].path',
      line: 7,
      message: /constructor/,
    },
    {
      name: 'a business key name that is not snake_case',
      yaml: 'envelope:\n  businessKeys:\n    - { eventType: "*", name: Order Id, path: order_id }\n',
      path: 'envelope.businessKeys[0].name',
      line: 5,
      message: /snake_case/,
    },
  ];

  it.each(BAD)('refuses $name at its line', ({ yaml, path, line, message }) => {
    const result = parseConfig(AUTH + yaml);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ path, line });
    expect(result.issues[0]?.message).toMatch(message);
  });
});

describe('business keys', () => {
  const rules = rulesFrom(`envelope:
  businessKeys:
    - { eventType: "Order*", name: order_id, path: [payload.order_id, order_id, data.order_id] }
    - { eventType: "Payment*", name: payment_id, path: payload.payment_id }
    - { eventType: "*", name: customer_id, path: [payload.customer_id, customer_id] }
    - { eventType: "*", name: order_id, path: payload.fallback_order }
`);

  it.each([
    {
      name: 'our snake body',
      input: kafka(json({ event_type: 'OrderPlaced', payload: { order_id: 'ord-1', customer_id: 'cus-9' } })),
      want: [
        { name: 'order_id', value: 'ord-1' },
        { name: 'customer_id', value: 'cus-9' },
      ],
    },
    {
      name: 'a bare payload with the type in a header, a number as value',
      input: kafka(json({ order_id: 1234, customer_id: 'cus-9' }), { event_type: 'OrderShipped' }),
      want: [
        { name: 'order_id', value: '1234' },
        { name: 'customer_id', value: 'cus-9' },
      ],
    },
    {
      name: 'a type no rule names but *',
      input: kafka(
        json({ event_type: 'PaymentAuthorized', payload: { payment_id: 'pay-1', fallback_order: 'ord-3' } }),
      ),
      want: [
        { name: 'payment_id', value: 'pay-1' },
        { name: 'order_id', value: 'ord-3' },
      ],
    },
    {
      name: 'no type at all: only * rules',
      input: kafka(json({ order_id: 'ord-1', customer_id: 'cus-9' })),
      want: [{ name: 'customer_id', value: 'cus-9' }],
    },
    {
      name: 'values that are objects or too long are skipped',
      input: kafka(
        json({ event_type: 'OrderPlaced', payload: { order_id: { id: 1 }, customer_id: 'c'.repeat(300) } }),
      ),
      want: [],
    },
  ])('$name', ({ input, want }) => {
    expect(extractEnvelope(input, rules).businessKeys).toEqual(want);
  });
});

describe('business keys per event', () => {
  it('are capped, the first rules winning', () => {
    const names = Array.from({ length: 20 }, (_, i) => `key_${i}`);
    const yaml = `envelope:\n  businessKeys:\n${names.map((n) => `    - { eventType: "*", name: ${n}, path: ${n} }\n`).join('')}`;
    const body = json(Object.fromEntries(names.map((n) => [n, `v-${n}`])));
    const keys = extractEnvelope(kafka(body), rulesFrom(yaml)).businessKeys;
    expect(keys).toHaveLength(MAX_BUSINESS_KEYS);
    expect(keys.map((k) => k.name)).toEqual(names.slice(0, MAX_BUSINESS_KEYS));
  });
});
