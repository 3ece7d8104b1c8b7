import { describe, expect, it } from 'vitest';
import { clientAddress, PEER_ADDRESS_HEADER } from '@/lib/auth/client-address';

describe('clientAddress', () => {
  const peer = { [PEER_ADDRESS_HEADER]: '10.0.0.7' };
  it.each([
    ['the socket address when not behind a proxy', { ...peer }, false, '10.0.0.7'],
    [
      'the socket address, ignoring X-Forwarded-For, when not behind a proxy',
      { ...peer, 'x-forwarded-for': '1.2.3.4' },
      false,
      '10.0.0.7',
    ],
    [
      'the entry the proxy appended when behind one',
      { ...peer, 'x-forwarded-for': '6.6.6.6, 203.0.113.9' },
      true,
      '203.0.113.9',
    ],
    ['the socket address behind a proxy that sent no header', { ...peer }, true, '10.0.0.7'],
    ['unknown when nothing says', {}, false, 'unknown'],
    [
      'a capped length for a forged giant header',
      { 'x-forwarded-for': 'a'.repeat(500) },
      true,
      'a'.repeat(64),
    ],
  ])('%s', (_name, headers, trustProxy, expected) => {
    expect(clientAddress(headers, trustProxy)).toBe(expected);
  });
});
