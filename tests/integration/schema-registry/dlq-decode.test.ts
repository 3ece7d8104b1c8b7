import avro from 'avsc';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DlqMessageRow } from '@/lib/dlq/message-row';
import { type ApicurioRegistry, startApicurio } from '@/scripts/peers/apicurio/index';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { browseDlq } from '@/server/dlq/browse-dlq';
import { uniqueName } from '@/tests/support/wait';
import { confluentFrame, registryConfig, startRegistryBesideTopic } from './support/apicurio';

/*
 * Confluent wire-format dead letters on Apache Kafka, decoded with schemas from a real Schema Registry
 * (Apicurio Registry's Confluent-compatible API) when the DLQ page is built.
 */

const AVRO_SCHEMA = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'qty', type: 'int' },
    { name: 'card', type: 'string' },
  ],
};
const PROTO_SCHEMA = `syntax = "proto3";
package pay;
message Payment {
  string id = 1;
  int64 cents = 2;
  string card = 3;
}
`;
const JSON_SCHEMA = {
  type: 'object',
  properties: { kind: { type: 'string' }, card: { type: 'string' } },
  required: ['kind'],
};

let registry: ApicurioRegistry;
let topic: string;
let bootstrap: string;
const ids = { avro: 0, proto: 0, json: 0 };
const suffix = uniqueName('sr');

beforeAll(async () => {
  bootstrap = inject('apacheKafka').bootstrap;
  topic = `orders-${suffix}.DLT`;
  const setup = await startRegistryBesideTopic(bootstrap, topic);
  registry = setup.registry;
  ids.avro = await setup.register(`orders-${suffix}-value`, {
    schema: JSON.stringify(AVRO_SCHEMA),
  });
  ids.proto = await setup.register(`payments-${suffix}-value`, {
    schemaType: 'PROTOBUF',
    schema: PROTO_SCHEMA,
  });
  ids.json = await setup.register(`events-${suffix}-value`, {
    schemaType: 'JSON',
    schema: JSON.stringify(JSON_SCHEMA),
  });

  const order = avro.Type.forSchema(AVRO_SCHEMA as avro.Schema).toBuffer({
    id: 'o-1',
    qty: 3,
    card: '4111 1111 1111 1111',
  });
  const Payment = protobuf.parse(PROTO_SCHEMA).root.lookupType('pay.Payment');
  const payment = Buffer.from(
    Payment.encode(Payment.create({ id: 'p-9', cents: 1250, card: '5500 0000 0000 0004' })).finish(),
  );
  const values = [
    confluentFrame(ids.avro, order),
    // Confluent's Protobuf serializer writes the message indexes first: [0] is one zero byte.
    confluentFrame(ids.proto, Buffer.from([0]), payment),
    confluentFrame(ids.json, Buffer.from(JSON.stringify({ kind: 'refund', card: '3400 0000 0000 009' }))),
    // The classic dead letters: cut short, framed with another schema's id, not valid for its schema, unknown id.
    confluentFrame(ids.avro, order.subarray(0, 4)),
    confluentFrame(ids.json, order),
    confluentFrame(ids.json, Buffer.from(JSON.stringify({ card: 'x' }))),
    confluentFrame(987_654, order),
  ];
  await setup.send(values);
}, 600_000);

afterAll(async () => {
  await closeKafkaClients();
  await registry?.stop();
});

const config = (schemaRegistry?: { url: string; timeoutMs?: number }) =>
  registryConfig(bootstrap, schemaRegistry, {
    rules: [{ name: 'cards', fields: ['card'], visibleTo: 'operator' }],
  });

async function rows(cfg: ReturnType<typeof config>, role: 'viewer' | 'operator' = 'viewer') {
  const page = await browseDlq(cfg, role, { kind: 'kafka', source: 'local', name: topic, limit: 20 });
  if (page.kind !== 'page') throw new Error('expected a page');
  expect(page.messages).toHaveLength(7);
  return page.messages;
}

function confluent(row: DlqMessageRow | undefined) {
  const body = row?.body;
  if (body?.kind !== 'confluent') throw new Error(`expected a wire-format body, got ${body?.kind}`);
  return body;
}

describe('Schema Registry bodies on the DLQ page (Apicurio Registry)', () => {
  it('decodes an Avro, a Protobuf and a JSON Schema dead letter as JSON with subject, version and id', async () => {
    const [avroRow, protoRow, jsonRow] = await rows(config({ url: registry.url }), 'operator');
    const a = confluent(avroRow);
    expect(a.registry).toEqual({
      status: 'decoded',
      schemaId: ids.avro,
      schemaType: 'AVRO',
      subject: `orders-${suffix}-value`,
      version: 1,
    });
    expect(a.inner.kind === 'json' && JSON.parse(a.inner.pretty)).toEqual({
      id: 'o-1',
      qty: 3,
      card: '4111 1111 1111 1111',
    });
    const p = confluent(protoRow);
    expect(p.registry).toMatchObject({
      status: 'decoded',
      schemaType: 'PROTOBUF',
      schemaId: ids.proto,
      version: 1,
    });
    expect(p.registry?.status === 'decoded' && p.registry.subject).toBe(`payments-${suffix}-value`);
    // int64 as a string, as Protobuf's JSON mapping writes it.
    expect(p.inner.kind === 'json' && JSON.parse(p.inner.pretty)).toEqual({
      id: 'p-9',
      cents: '1250',
      card: '5500 0000 0000 0004',
    });
    const j = confluent(jsonRow);
    expect(j.registry).toMatchObject({
      status: 'decoded',
      schemaType: 'JSON',
      subject: `events-${suffix}-value`,
    });
    expect(j.inner.kind === 'json' && JSON.parse(j.inner.pretty)).toEqual({
      kind: 'refund',
      card: '3400 0000 0000 009',
    });
    expect(avroRow?.schemaId).toBe(ids.avro);
  });

  it('masks the decoded JSON as it masks JSON bodies', async () => {
    const [avroRow, protoRow] = await rows(config({ url: registry.url }), 'viewer');
    for (const row of [avroRow, protoRow]) {
      const body = confluent(row);
      const text = body.inner.kind === 'json' ? body.inner.pretty : '';
      expect(text).toContain('"id"');
      expect(text).not.toMatch(/4111|5500/);
      expect(row?.searchText).not.toMatch(/4111|5500/);
      expect(row?.masking.rules).toEqual(['cards']);
    }
  });

  it('says a body that does not match its schema does not, and shows it as hex', async () => {
    const [, , , truncated, wrongId, invalid, unknown] = await rows(
      config({ url: registry.url }),
      'operator',
    );
    const t = confluent(truncated);
    expect(t.registry).toMatchObject({ status: 'mismatch', schemaId: ids.avro, schemaType: 'AVRO' });
    expect(t.registry?.status === 'mismatch' && t.registry.error).toMatch(/truncated/i);
    expect(t.inner.kind).toBe('binary');
    const w = confluent(wrongId);
    expect(w.registry).toMatchObject({ status: 'mismatch', schemaId: ids.json, schemaType: 'JSON' });
    expect(w.inner.kind === 'binary' && w.inner.hex).toContain('|');
    // JSON.parse's own message would quote the body (and the card in it).
    expect(w.registry?.status === 'mismatch' && w.registry.error).toMatch(/^not valid JSON/);
    expect(JSON.stringify(w.registry)).not.toContain('4111');
    const i = confluent(invalid);
    expect(i.registry).toMatchObject({
      status: 'mismatch',
      schemaType: 'JSON',
      error: "invalid payload: (root) must have required property 'kind'",
    });
    expect(i.inner.kind).toBe('binary');
    const u = confluent(unknown);
    expect(u.registry).toMatchObject({ status: 'unknown-schema', schemaId: 987_654 });
    expect(u.inner.kind).toBe('binary');
  });

  it('keeps the reason when masking hides the hex from a role that may not see it', async () => {
    const [, , , truncated] = await rows(config({ url: registry.url }), 'viewer');
    expect(truncated?.body.kind).toBe('hidden');
    expect(truncated?.body.kind === 'hidden' && truncated.body.reason).toMatch(
      new RegExp(`does not match schema ${ids.avro}: truncated buffer; binary body`, 'i'),
    );
  });

  it('says when no registry is configured, with the schema id', async () => {
    const [first] = await rows(config());
    expect(confluent(first).registry).toEqual({ status: 'no-registry', schemaId: ids.avro });
  });

  it('shows hex and says the registry is unreachable when it is down, and the page still loads', async () => {
    const down = await startApicurio();
    const url = down.url;
    await down.stop();
    const [first, second] = await rows(config({ url, timeoutMs: 2000 }), 'operator');
    for (const row of [first, second]) {
      const body = confluent(row);
      expect(body.registry?.status === 'unreachable' && body.registry.error).toMatch(/ECONNREFUSED/);
      expect(body.registry?.status).toBe('unreachable');
      expect(body.inner.kind).toBe('binary');
    }
  });
});
