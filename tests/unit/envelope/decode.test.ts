import { describe, expect, it } from 'vitest';
import { cleanId, decode, parseTime } from '@/lib/envelope/decode';
import { parseLocation } from '@/lib/envelope/locations';

const AT = Date.UTC(2026, 11, 3, 9, 12, 44, 512);

describe('parseTime', () => {
  it.each([
    ['ISO with Z', '2026-12-03T09:12:44.512Z', AT],
    ['ISO with seven fraction digits (.NET)', '2026-12-03T09:12:44.5123456Z', AT],
    ['ISO with an offset', '2026-12-03T10:12:44.512+01:00', AT],
    ['ISO with a compact offset', '2026-12-03T04:12:44.512-0500', AT],
    ['ISO without a zone is UTC', '2026-12-03T09:12:44.512', AT],
    ['ISO with a space', '2026-12-03 09:12:44.512Z', AT],
    ['a date alone', '2026-12-03', Date.UTC(2026, 11, 3)],
    ['NServiceBus', '2026-12-03 09:12:44:512345 Z', AT],
    ['epoch seconds', '1796289164', Math.floor(AT / 1000) * 1000],
    ['epoch seconds with a fraction', '1796289164.512', AT],
    ['epoch millis', String(AT), AT],
    ['epoch micros', `${AT}000`, AT],
    ['epoch nanos', `${AT}000000`, AT],
    ['padded', '  2026-12-03T09:12:44.512Z ', AT],
  ])('%s: %s', (_name, text, want) => {
    expect(parseTime(text)).toBe(want);
  });

  it.each([
    '',
    'yesterday',
    '2026-02-30T00:00:00Z',
    '2026-13-01',
    '2026-12-03T25:00:00Z',
    '0',
    '-1796289164',
    '99999999999999999999999',
    '12/03/2026',
    'Thu, 03 Dec 2026 09:12:44 GMT',
    '1e12',
  ])('%j is no time', (text) => {
    expect(parseTime(text)).toBeNull();
  });
});

describe('decoders', () => {
  it.each([
    [
      'traceparent',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      '0af7651916cd43dd8448eb211c80319c',
    ],
    [
      'traceparent',
      '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-future',
      '0af7651916cd43dd8448eb211c80319c',
    ],
    ['traceparent', '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01', null],
    ['xray', 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1', '5759e988bd862e3fe1be46a994272793'],
    [
      'xray',
      'Self=1-67891234-12456789abcdef012345678;Root=1-5759e988-bd862e3fe1be46a994272793',
      '5759e988bd862e3fe1be46a994272793',
    ],
    ['xray', 'Root=2-5759e988-bd862e3fe1be46a994272793', null],
    [
      'b3',
      '80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90',
      '80f198ee56343ba864fe8b2a57d3eff7',
    ],
    ['b3', '463ac35c9f6413ad-a2fb4a1d1a96d312-0', '463ac35c9f6413ad'],
    ['b3', '463ac35c9f6413ad48485a3953bb6124', '463ac35c9f6413ad48485a3953bb6124'],
    ['b3', '0', null],
    ['b3', 'd', null],
    ['class-name', 'Shop.Messages.OrderPlaced, Shop.Messages, Version=1.0.0.0', 'OrderPlaced'],
    ['class-name', 'Shop.Sagas.OrderSaga+Timeout, Shop', 'Timeout'],
    ['class-name', 'Shop.Messages.OrderPlaced', 'OrderPlaced'],
    ['class-name', 'com.shop.orders.Events$OrderPlaced', 'OrderPlaced'],
    ['urn-type', 'urn:message:Shop.Contracts:OrderSubmitted', 'OrderSubmitted'],
    [
      'urn-type',
      'urn:message:MassTransit:Fault[[Shop.Contracts:OrderSubmitted]]',
      'Fault[[Shop.Contracts:OrderSubmitted]]',
    ],
    ['urn-type', 'Shop.Contracts.OrderSubmitted', null],
    ['schema-version', 'https://schemas.shop.example/OrderPlaced/v3.json', '3'],
    ['schema-version', 'https://schemas.shop.example/order-placed/1.2.0', '1.2.0'],
    ['schema-version', 'urn:schema:order-placed', 'urn:schema:order-placed'],
  ] as const)('%s %s', (decoder, value, want) => {
    expect(decode(decoder, value)).toBe(want);
  });
});

describe('cleanId', () => {
  it.each([
    [' a ', 'a'],
    ['', null],
    ['   ', null],
    ['x'.repeat(256), 'x'.repeat(256)],
    ['x'.repeat(257), null],
    ['a\nb', null],
    ['a\uFFFDb', null],
    ['ord-ü-1', 'ord-ü-1'],
  ])('%j', (value, want) => {
    expect(cleanId(value)).toBe(want);
  });
});

describe('parseLocation', () => {
  it('reads kind, name, path and decoder', () => {
    expect(parseLocation('body:metadata.correlationId')).toEqual({
      ok: true,
      location: {
        kind: 'body',
        name: 'metadata.correlationId',
        path: ['metadata', 'correlationId'],
        decoder: null,
      },
    });
    expect(parseLocation('header:traceparent#traceparent')).toMatchObject({
      ok: true,
      location: { kind: 'header', name: 'traceparent', decoder: 'traceparent' },
    });
  });

  it.each([
    ['correlation_id', /expected <kind>:<name>/],
    ['headers:x', /kind one of body, header, attribute, cloudevents, sns/],
    ['header:', /empty/],
    ['header:x#base64', /unknown decoder "#base64"/],
    ['body:a..b', /bad path segment ""/],
    ['body:__proto__.polluted', /bad path segment "__proto__"/],
    ['body:a.constructor', /bad path segment "constructor"/],
    ['header:two words', /no spaces/],
    ['cloudevents:Type', /lowercase/],
    ['sns:Message', /Timestamp, TopicArn/],
    [`body:${'a'.repeat(300)}`, /longer than 200/],
  ])('%j is refused', (text, message) => {
    const result = parseLocation(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });
});
