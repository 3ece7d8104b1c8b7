import 'server-only';
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { PEER_ADDRESS_HEADER } from '@/lib/auth/client-address';

const state = globalThis as typeof globalThis & { __tidewatchPeerAddress?: boolean };

/**
 * Route handlers never see the socket, and Next keeps a client-sent X-Forwarded-For as it is; so the
 * socket's address is written into a header of our own before Next reads the request.
 */
export function recordPeerAddresses() {
  if (state.__tidewatchPeerAddress) return;
  state.__tidewatchPeerAddress = true;
  diagnostics.subscribe('http.server.request.start', (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    request.headers[PEER_ADDRESS_HEADER] = socket.remoteAddress ?? 'unknown';
  });
}
