import { createRequire } from 'node:module';
import type { RawClient } from '../raw-client';

/*
 * kafkajs's own per-version request encoders and response decoders, loaded from its sources. A raw
 * request through them sees the answer exactly as it came off the wire: `decode` without `parse`, so
 * error codes stay data instead of becoming thrown errors.
 */

interface CodecRequest {
  apiKey: number;
  apiVersion: number;
  encode(): Promise<unknown>;
}
interface Codec {
  request: CodecRequest;
  response: { decode(b: Buffer): Promise<unknown> };
}
interface Definitions {
  versions: string[];
  protocol(o: { version: number }): (args: unknown) => Codec;
}
type Frame = (o: {
  correlationId: number;
  clientId: string;
  request: CodecRequest;
}) => Promise<{ buffer: Buffer }>;

const load = createRequire(import.meta.url);
const frame = load('kafkajs/src/protocol/request') as Frame;

/** kafkajs's API names and keys ("GroupCoordinator" is its name for FindCoordinator). */
export const KAFKAJS_API_KEYS = load('kafkajs/src/protocol/requests/apiKeys') as Record<string, number>;

/** kafkajs's request folder of each API the differential test sends raw. */
const FOLDERS = {
  ApiVersions: 'apiVersions',
  CreateTopics: 'createTopics',
  DeleteGroups: 'deleteGroups',
  DescribeGroups: 'describeGroups',
  Fetch: 'fetch',
  GroupCoordinator: 'findCoordinator',
  ListGroups: 'listGroups',
  ListOffsets: 'listOffsets',
  Metadata: 'metadata',
  OffsetCommit: 'offsetCommit',
  OffsetFetch: 'offsetFetch',
  Produce: 'produce',
} as const;

export type ApiName = keyof typeof FOLDERS;

/** Every API kafkajs implements and the highest version it speaks, from its request definitions. */
export function kafkajsMaxVersions(): Map<string, number> {
  const requests = load('kafkajs/src/protocol/requests') as { requests: Record<string, Definitions> };
  const out = new Map<string, number>();
  for (const [name, defs] of Object.entries(requests.requests)) {
    if (defs.versions.length > 0) out.set(name, Math.max(...defs.versions.map(Number)));
  }
  return out;
}

let correlationId = 1;

/** Encodes `args` with kafkajs's codec for `version`, sends it, and returns the encoded response body. */
export async function sendRaw(client: RawClient, api: ApiName, version: number, args: unknown) {
  const defs = load(`kafkajs/src/protocol/requests/${FOLDERS[api]}`) as Definitions;
  const codec = defs.protocol({ version })(args);
  const id = correlationId++;
  const sent = await frame({ correlationId: id, clientId: 'differential', request: codec.request });
  const response = await client.send(sent.buffer);
  if (response.readInt32BE(0) !== id) throw new Error(`${api}: correlation id ${response.readInt32BE(0)}`);
  return { body: response.subarray(4), codec };
}

/** A raw request decoded by kafkajs's codec for that version, errors included as codes. */
export async function callRaw(client: RawClient, api: ApiName, version: number, args: unknown) {
  const { body, codec } = await sendRaw(client, api, version, args);
  return codec.response.decode(body);
}
