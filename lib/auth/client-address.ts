/** Header the server sets on every request from the socket's remote address, replacing any sent by a client. */
export const PEER_ADDRESS_HEADER = 'x-tidewatch-peer-address';

const MAX_ADDRESS_LENGTH = 64;

/**
 * The address a request came from. Behind a trusted proxy, the last X-Forwarded-For entry (the one our
 * proxy appended; earlier ones are whatever the client claimed); otherwise the socket's address.
 */
export function clientAddress(headers: Record<string, unknown> | undefined, trustProxy: boolean): string {
  const header = (name: string) => {
    const value = headers?.[name];
    return typeof value === 'string' ? value : Array.isArray(value) ? String(value.at(-1) ?? '') : '';
  };
  const forwarded = trustProxy ? header('x-forwarded-for').split(',').at(-1)?.trim() : '';
  const address = forwarded || header(PEER_ADDRESS_HEADER).trim() || 'unknown';
  return address.slice(0, MAX_ADDRESS_LENGTH);
}
