import { describe, expect, it } from 'vitest';
import { canonicalId } from '@/lib/envelope/canonical-id';

describe('canonicalId', () => {
  it.each([
    [
      'traceparent trace id, 32 hex',
      '4bf92f3577b34da6a3ce929d0e0e4736',
      '4bf92f35-77b3-4da6-a3ce-929d0e0e4736',
    ],
    ['upper-case 32 hex', '4BF92F3577B34DA6A3CE929D0E0E4736', '4bf92f35-77b3-4da6-a3ce-929d0e0e4736'],
    ['dashed UUID stays', '4bf92f35-77b3-4da6-a3ce-929d0e0e4736', '4bf92f35-77b3-4da6-a3ce-929d0e0e4736'],
    [
      'upper-case dashed UUID',
      '4BF92F35-77B3-4DA6-A3CE-929D0E0E4736',
      '4bf92f35-77b3-4da6-a3ce-929d0e0e4736',
    ],
    ['braced .NET Guid', '{4BF92F35-77B3-4DA6-A3CE-929D0E0E4736}', '4bf92f35-77b3-4da6-a3ce-929d0e0e4736'],
    [
      'surrounding spaces on a UUID',
      ' 4bf92f3577b34da6a3ce929d0e0e4736 ',
      '4bf92f35-77b3-4da6-a3ce-929d0e0e4736',
    ],
    ['an order id is kept as written', 'ord-1234abcd', 'ord-1234abcd'],
    ['case of a non-UUID id is kept', 'Order-ABC', 'Order-ABC'],
    ['31 hex digits are not a UUID', '4bf92f3577b34da6a3ce929d0e0e473', '4bf92f3577b34da6a3ce929d0e0e473'],
    [
      '33 hex digits are not a UUID',
      '4bf92f3577b34da6a3ce929d0e0e47361',
      '4bf92f3577b34da6a3ce929d0e0e47361',
    ],
    [
      'dashes in the wrong places are kept',
      '4bf92f3577b3-4da6-a3ce-929d-0e0e4736',
      '4bf92f3577b3-4da6-a3ce-929d-0e0e4736',
    ],
    [
      'non-hex in UUID shape is kept',
      'zbf92f35-77b3-4da6-a3ce-929d0e0e4736',
      'zbf92f35-77b3-4da6-a3ce-929d0e0e4736',
    ],
    [
      'an X-Ray trace id is kept',
      '1-5759e988-bd862e3fe1be46a994272793',
      '1-5759e988-bd862e3fe1be46a994272793',
    ],
    ['a 64-bit B3 id is kept', '463ac35c9f6413ad', '463ac35c9f6413ad'],
  ])('%s', (_, input, expected) => {
    expect(canonicalId(input)).toBe(expected);
  });

  it('passes null through', () => {
    expect(canonicalId(null)).toBeNull();
  });

  it('gives the dashed and undashed spellings of one flow the same id', () => {
    const flow = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(canonicalId(flow.replace(/-/g, ''))).toBe(canonicalId(flow.toUpperCase()));
  });
});
