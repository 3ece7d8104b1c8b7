import { frame, kafkajsRequest } from '@/tests/support/kafkajs-codec';
import type { RawClient } from '../raw-client';

/*
 * kafkajs's own per-version request encoders and response decoders, loaded from its sources. A raw
 * request through them sees the answer exactly as it came off the wire: `decode` without `parse`, so
 * error codes stay data instead of becoming thrown errors.
 */

/** kafkajs's request folder of each API the differential test sends raw. */
const FOLDERS = {
  ApiVersions: 'apiVersions',
  CreateTopics: 'createTopics',
  DeleteGroups: 'deleteGroups',
  DescribeGroups: 'describeGroups',
  Fetch: 'fetch',
  GroupCoordinator: 'findCoordinator',
  InitProducerId: 'initProducerId',
  ListGroups: 'listGroups',
  ListOffsets: 'listOffsets',
  Metadata: 'metadata',
  OffsetCommit: 'offsetCommit',
  OffsetFetch: 'offsetFetch',
  Produce: 'produce',
} as const;

export type ApiName = keyof typeof FOLDERS;

let correlationId = 1;

/** Encodes `args` with kafkajs's codec for `version`, sends it, and returns the encoded response body. */
export async function sendRaw(client: RawClient, api: ApiName, version: number, args: unknown) {
  const defs = kafkajsRequest(FOLDERS[api]);
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
