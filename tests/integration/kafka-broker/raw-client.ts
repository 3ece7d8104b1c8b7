import { connect, type Socket } from 'node:net';

/** A bare client: size-prefixed frames, responses matched by arrival order. */
export class RawClient {
  private pending = Buffer.alloc(0);
  private waiting: ((frame: Buffer) => void)[] = [];
  private nextId = 1;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= 4 && this.pending.length >= 4 + this.pending.readInt32BE(0)) {
        const frame = this.pending.subarray(4, 4 + this.pending.readInt32BE(0));
        this.pending = this.pending.subarray(4 + frame.length);
        this.waiting.shift()?.(frame);
      }
    });
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends header v1 (or v2 with an empty tag buffer) plus body; resolves with the body after the correlation id. */
  request(apiKey: number, version: number, body: Buffer, flexibleHeader = false): Promise<Buffer> {
    const id = this.nextId++;
    const clientId = Buffer.from('raw-test');
    const header = Buffer.alloc(10);
    header.writeInt16BE(apiKey, 0);
    header.writeInt16BE(version, 2);
    header.writeInt32BE(id, 4);
    header.writeInt16BE(clientId.length, 8);
    const payload = Buffer.concat([
      header,
      clientId,
      flexibleHeader ? Buffer.from([0]) : Buffer.alloc(0),
      body,
    ]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length);
    return new Promise((resolve, reject) => {
      this.waiting.push((frame) => {
        if (frame.readInt32BE(0) !== id)
          reject(new Error(`correlation id ${frame.readInt32BE(0)}, expected ${id}`));
        else resolve(frame.subarray(4));
      });
      this.socket.write(Buffer.concat([size, payload]));
    });
  }

  /** Sends an already framed request and resolves with the whole response frame. */
  send(framed: Buffer): Promise<Buffer> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.socket.write(framed);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
