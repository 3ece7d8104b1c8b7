// The pieces of kafkajs's protocol codec the adapter uses for requests kafkajs does not know.
declare module 'kafkajs/src/protocol/encoder' {
  export default class Encoder {
    constructor(initialSize?: number);
    writeBuffer(value: Buffer): Encoder;
    writeInt8(value: number): Encoder;
    writeBoolean(value: boolean): Encoder;
    writeUVarInt(value: number): Encoder;
    writeUVarIntString(value: string | null): Encoder;
  }
}

declare module 'kafkajs/src/protocol/error' {
  export function createErrorFromCode(code: number): Error & { type: string; code: number };
}

declare module 'kafkajs/src/protocol/requests' {
  /** kafkajs's request definitions, by its API names (versions and codecs). */
  export const requests: Record<string, unknown>;
}

declare module 'kafkajs/src/protocol/requests/apiKeys' {
  const apiKeys: Record<string, number>;
  export default apiKeys;
}

declare module 'kafkajs/src/protocol/recordBatch/crc32C' {
  /** CRC-32C of the bytes, unsigned. */
  export default function crc32C(buffer: Buffer): number;
}
