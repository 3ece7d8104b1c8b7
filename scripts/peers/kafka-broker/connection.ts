import type { Socket } from 'node:net';
import { API_VERSIONS_KEY, encodeApiVersions } from './apis/api-versions';
import type { ApiSpec, BrokerState } from './context';
import { ErrorCode } from './protocol/errors';
import { MalformedRequestError, Reader } from './protocol/reader';
import { Writer } from './protocol/writer';

/** Largest request accepted, Kafka's socket.request.max.bytes default. */
const MAX_REQUEST_BYTES = 100 * 1024 * 1024;

interface Slot {
  done: boolean;
  /** Null: the request expects no response (produce with acks=0). */
  response: Buffer | null;
}

interface Header {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string;
}

/**
 * One client connection: size-prefixed frames in, responses out in request order even when
 * a later request (a heartbeat) finishes before an earlier one (a long-poll fetch).
 */
export class Connection {
  private pending: Buffer = Buffer.alloc(0);
  private readonly slots: Slot[] = [];

  constructor(
    private readonly socket: Socket,
    private readonly state: BrokerState,
    private readonly responseDelayMs: () => number,
  ) {
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
  }

  private onData(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 4) {
      const size = this.pending.readInt32BE(0);
      if (size < 0 || size > MAX_REQUEST_BYTES) {
        this.socket.destroy();
        return;
      }
      if (this.pending.length < 4 + size) return;
      const frame = this.pending.subarray(4, 4 + size);
      this.pending = this.pending.subarray(4 + size);
      this.accept(frame);
    }
  }

  private accept(frame: Buffer): void {
    const slot: Slot = { done: false, response: null };
    this.slots.push(slot);
    const started = Date.now();
    this.respond(frame)
      .then(async (response) => {
        const wait = started + this.responseDelayMs() - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        slot.response = response;
        slot.done = true;
        this.flush();
      })
      .catch((err: unknown) => {
        // Kafka closes a connection whose request it cannot parse.
        if (!(err instanceof MalformedRequestError)) console.error('kafka broker: request failed', err);
        this.socket.destroy();
      });
  }

  private async respond(frame: Buffer): Promise<Buffer | null> {
    const reader = new Reader(frame);
    const header: Header = {
      apiKey: reader.int16(),
      apiVersion: reader.int16(),
      correlationId: reader.int32(),
      clientId: reader.string(),
    };
    const spec = this.state.apis.find((s) => s.key === header.apiKey);
    const served = spec && header.apiVersion >= 0 && header.apiVersion <= spec.maxVersion ? spec : undefined;
    // Flexible versions use request header v2 and response header v1: each adds a tagged-field section.
    const flexible = served?.flexibleFrom !== undefined && header.apiVersion >= served.flexibleFrom;
    if (flexible) reader.taggedFields();
    const body = await this.handle(header, served, reader);
    if (body === null) return null;
    const w = new Writer().int32(body.length + 4 + (flexible ? 1 : 0)).int32(header.correlationId);
    if (flexible) w.taggedFields();
    return w.raw(body).toBuffer();
  }

  private handle(
    header: Header,
    spec: ApiSpec | undefined,
    reader: Reader,
  ): Buffer | null | Promise<Buffer | null> {
    if (spec) {
      return spec.handle(
        {
          apiVersion: header.apiVersion,
          clientId: header.clientId,
          clientHost: `/${this.socket.remoteAddress ?? '127.0.0.1'}`,
          state: this.state,
        },
        reader,
      );
    }
    // A newer ApiVersions gets the v0 layout listing what is supported, so the client can retry lower.
    if (header.apiKey === API_VERSIONS_KEY)
      return encodeApiVersions(this.state.apis, 0, ErrorCode.UNSUPPORTED_VERSION);
    return new Writer().int16(ErrorCode.UNSUPPORTED_VERSION).toBuffer();
  }

  private flush(): void {
    while (this.slots[0]?.done) {
      const slot = this.slots.shift();
      if (slot?.response && !this.socket.destroyed) this.socket.write(slot.response);
    }
  }
}
