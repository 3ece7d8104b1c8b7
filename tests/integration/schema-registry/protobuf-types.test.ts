import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DlqMessageRow } from '@/lib/dlq/message-row';
import { registryLine } from '@/lib/payload/schema-view';
import type { ApicurioRegistry } from '@/scripts/peers/apicurio/index';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { browseDlq } from '@/server/dlq/browse-dlq';
import { uniqueName } from '@/tests/support/wait';
import { confluentFrame, registryConfig, startRegistryBesideTopic } from './support/apicurio';

/*
 * Protobuf dead letters of every message type of one .proto (three top-level messages, one nested),
 * framed as Confluent's serializer frames them (message indexes after the schema id), on Apache Kafka
 * and decoded through the DLQ page with the schema from a real registry (Apicurio, ccompat API).
 */

const PROTO = `syntax = "proto3";
package shop.v1;

message Order {
  string id = 1;
  int32 qty = 2;
}

message Refund {
  message Line {
    string sku = 1;
    int64 cents = 2;
  }
  string order = 1;
  repeated Line lines = 2;
}

message Audit {
  string actor = 1;
  bool ok = 2;
}
`;

let registry: ApicurioRegistry;
let bootstrap: string;
let topic: string;
let schemaId = 0;
const suffix = uniqueName('pbt');

// The indexes as bytes, spelt out (zig-zag varints: count, then each index).
const INDEXES = {
  first: [0x00], // [0], the serializer's short form
  firstLong: [0x02, 0x00], // [0] written in full
  second: [0x02, 0x02], // [1]
  third: [0x02, 0x04], // [2]
  nested: [0x04, 0x02, 0x00], // [1, 0]
  noTop: [0x02, 0x06], // [3]: the file has three messages
  noNested: [0x04, 0x02, 0x02], // [1, 1]: Refund has one nested message
  cut: [0x04, 0x02], // two indexes announced, one written
};

beforeAll(async () => {
  bootstrap = inject('apacheKafka').bootstrap;
  topic = `shop-${suffix}.DLT`;
  const setup = await startRegistryBesideTopic(bootstrap, topic);
  registry = setup.registry;
  schemaId = await setup.register(`shop-${suffix}-value`, {
    schemaType: 'PROTOBUF',
    schema: PROTO,
  });

  const root = protobuf.parse(PROTO).root;
  const encode = (name: string, value: object) => {
    const type = root.lookupType(name);
    return Buffer.from(type.encode(type.create(value)).finish());
  };
  const order = encode('shop.v1.Order', { id: 'o-1', qty: 3 });
  const refund = encode('shop.v1.Refund', { order: 'o-1', lines: [{ sku: 'A', cents: 250 }] });
  const audit = encode('shop.v1.Audit', { actor: 'ops', ok: true });
  const line = encode('shop.v1.Refund.Line', { sku: 'B', cents: 99 });
  const framed = (indexes: number[], body: Buffer) => confluentFrame(schemaId, Buffer.from(indexes), body);
  const values = [
    framed(INDEXES.first, order),
    framed(INDEXES.firstLong, order),
    framed(INDEXES.second, refund),
    framed(INDEXES.third, audit),
    framed(INDEXES.nested, line),
    framed(INDEXES.noTop, audit),
    framed(INDEXES.noNested, line),
    framed(INDEXES.cut, Buffer.alloc(0)),
  ];
  await setup.send(values);
}, 600_000);

afterAll(async () => {
  await closeKafkaClients();
  await registry?.stop();
});

async function rows(): Promise<DlqMessageRow[]> {
  const config = registryConfig(bootstrap, { url: registry.url });
  const page = await browseDlq(config, 'operator', {
    kind: 'kafka',
    source: 'local',
    name: topic,
    limit: 20,
  });
  if (page.kind !== 'page') throw new Error('expected a page');
  expect(page.messages).toHaveLength(8);
  return page.messages;
}

function confluent(row: DlqMessageRow | undefined) {
  const body = row?.body;
  if (body?.kind !== 'confluent' || !body.registry)
    throw new Error(`expected a wire-format body, got ${body?.kind}`);
  return { body, view: body.registry };
}

const json = (row: DlqMessageRow | undefined) => {
  const { body } = confluent(row);
  return body.inner.kind === 'json' ? JSON.parse(body.inner.pretty) : body.inner.kind;
};

describe('Protobuf message types by their message indexes (Apicurio Registry, Apache Kafka)', () => {
  it('decodes each top-level message type and names it', async () => {
    const [first, firstLong, second, third] = await rows();
    expect(json(first)).toEqual({ id: 'o-1', qty: 3 });
    expect(json(firstLong)).toEqual({ id: 'o-1', qty: 3 });
    expect(json(second)).toEqual({ order: 'o-1', lines: [{ sku: 'A', cents: '250' }] });
    expect(json(third)).toEqual({ actor: 'ops', ok: true });
    const names = [first, firstLong, second, third].map((r) => {
      const { view } = confluent(r);
      return view.status === 'decoded' ? view.messageType : view.status;
    });
    expect(names).toEqual(['shop.v1.Order', 'shop.v1.Order', 'shop.v1.Refund', 'shop.v1.Audit']);
    expect(registryLine(confluent(second).view)).toBe(
      `Protobuf shop.v1.Refund · subject shop-${suffix}-value · version 1 · schema id ${schemaId}`,
    );
  });

  it('decodes a nested message type by its index path', async () => {
    const nested = (await rows())[4];
    expect(json(nested)).toEqual({ sku: 'B', cents: '99' });
    expect(confluent(nested).view).toMatchObject({ status: 'decoded', messageType: 'shop.v1.Refund.Line' });
  });

  it('says when the indexes name no message type, and shows the body as hex', async () => {
    const [, , , , , noTop, noNested, cut] = await rows();
    for (const [row, path] of [
      [noTop, '3'],
      [noNested, '1, 1'],
    ] as const) {
      const { body, view } = confluent(row);
      expect(view.status).toBe('mismatch');
      expect(view.status === 'mismatch' && view.messageType).toBe(undefined);
      expect(view.status === 'mismatch' && view.error).toBe(
        `message indexes [${path}] name no message type of schema ${schemaId}`,
      );
      expect(registryLine(view)).toMatch(/name no message type .*; shown as hex$/);
      expect(body.inner.kind).toBe('binary');
    }
    const c = confluent(cut);
    expect(c.view).toMatchObject({ status: 'mismatch', error: 'the message indexes are cut short' });
    expect(c.body.inner.kind).toBe('binary');
  });
});
