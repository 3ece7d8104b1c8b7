import { createRequire } from 'node:module';

/*
 * kafkajs's own per-version request encoders and response decoders, loaded from its sources (kafkajs
 * is pinned), so tests can send any version raw and read the answer as it came off the wire.
 */

export interface CodecRequest {
  apiKey: number;
  apiVersion: number;
  encode(): Promise<unknown>;
}

export interface Codec {
  request: CodecRequest;
  response: { decode(b: Buffer): Promise<unknown>; parse(d: unknown): Promise<unknown> };
}

export interface Definitions {
  versions: string[];
  protocol(o: { version: number }): (args: unknown) => Codec;
}

type Frame = (o: {
  correlationId: number;
  clientId: string;
  request: CodecRequest;
}) => Promise<{ buffer: Buffer }>;

const load = createRequire(import.meta.url);

/** Frames an encoded request with kafkajs's request header (v1), size prefix included. */
export const frame = load('kafkajs/src/protocol/request') as Frame;

/** One API's definitions, by kafkajs's folder name (`findCoordinator`, `listOffsets`, …). */
export function kafkajsRequest(folder: string): Definitions {
  return load(`kafkajs/src/protocol/requests/${folder}`) as Definitions;
}

/** kafkajs's API names and keys ("GroupCoordinator" is its name for FindCoordinator). */
export const KAFKAJS_API_KEYS = load('kafkajs/src/protocol/requests/apiKeys') as Record<string, number>;

/** Every API kafkajs implements, by its API name, with the versions it speaks. */
export const KAFKAJS_REQUESTS = (
  load('kafkajs/src/protocol/requests') as { requests: Record<string, Definitions> }
).requests;

/** Every API kafkajs implements and the highest version it speaks. */
export function kafkajsMaxVersions(): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, defs] of Object.entries(KAFKAJS_REQUESTS)) {
    if (defs.versions.length > 0) out.set(name, Math.max(...defs.versions.map(Number)));
  }
  return out;
}
