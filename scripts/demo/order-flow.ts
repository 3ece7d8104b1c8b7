import { randomUUID } from 'node:crypto';
import { pick } from './lifecycle';

export type EventType = 'OrderPlaced' | 'InventoryReserved' | 'PaymentAuthorized' | 'ShipmentCreated';

/** One business event before it is put on the wire in one of the envelope styles. */
export interface DemoEvent {
  event_id: string;
  correlation_id: string;
  causation_id: string | null;
  event_type: EventType;
  occurred_at: string;
  schema_version: number;
  payload: Record<string, unknown>;
}

/** The topic each event type is published to. */
export const EVENT_TOPICS: Record<EventType, string> = {
  OrderPlaced: 'orders',
  InventoryReserved: 'inventory',
  PaymentAuthorized: 'payments',
  ShipmentCreated: 'shipments',
};

/** Schema versions differ per type, as they drift in real fleets. */
const SCHEMA_VERSIONS: Record<EventType, number> = {
  OrderPlaced: 3,
  InventoryReserved: 1,
  PaymentAuthorized: 2,
  ShipmentCreated: 1,
};

const CUSTOMERS = ['cus-1001', 'cus-1002', 'cus-1017', 'cus-1023', 'cus-1042', 'cus-1088', 'cus-1105'];
const PRODUCTS = [
  { sku: 'SKU-KETTLE-01', name: 'Kettle', price: 39.9 },
  { sku: 'SKU-MUG-12', name: 'Mug', price: 9.5 },
  { sku: 'SKU-LAMP-07', name: 'Desk lamp', price: 54 },
  { sku: 'SKU-BOOK-33', name: 'Field guide', price: 24.75 },
  { sku: 'SKU-SOCKS-02', name: 'Wool socks', price: 12 },
];
const WAREHOUSES = ['ams-1', 'fra-2', 'dub-1'];
const CARRIERS = ['DHL', 'UPS', 'PostNL'];
const METHODS = ['card', 'paypal', 'sepa'];

/** The facts one order carries through its flow. */
export interface Order {
  orderId: string;
  flowId: string;
  customerId: string;
  items: { sku: string; name: string; quantity: number; unit_price: number }[];
  amount: number;
}

export function newOrder(): Order {
  const count = 1 + Math.floor(Math.random() * 3);
  const products = [...PRODUCTS].sort(() => Math.random() - 0.5).slice(0, count);
  const items = products.map((product) => ({
    sku: product.sku,
    name: product.name,
    quantity: 1 + Math.floor(Math.random() * 2),
    unit_price: product.price,
  }));
  const amount = Math.round(items.reduce((sum, i) => sum + i.quantity * i.unit_price, 0) * 100) / 100;
  return {
    orderId: `ord-${randomUUID().slice(0, 8)}`,
    flowId: randomUUID(),
    customerId: pick(CUSTOMERS),
    items,
    amount,
  };
}

function payloadFor(type: EventType, order: Order): Record<string, unknown> {
  const base = { order_id: order.orderId, customer_id: order.customerId };
  switch (type) {
    case 'OrderPlaced':
      return { ...base, items: order.items, amount: order.amount, currency: 'EUR' };
    case 'InventoryReserved':
      return {
        ...base,
        reservation_id: `res-${randomUUID().slice(0, 8)}`,
        warehouse: pick(WAREHOUSES),
        items: order.items.map((i) => ({ sku: i.sku, quantity: i.quantity })),
      };
    case 'PaymentAuthorized':
      return {
        ...base,
        payment_id: `pay-${randomUUID().slice(0, 8)}`,
        amount: order.amount,
        currency: 'EUR',
        method: pick(METHODS),
      };
    case 'ShipmentCreated':
      return {
        ...base,
        shipment_id: `shp-${randomUUID().slice(0, 8)}`,
        carrier: pick(CARRIERS),
        tracking_number: randomUUID().replace(/-/g, '').slice(0, 14).toUpperCase(),
      };
  }
}

/** The next event of an order's flow, caused by `parent` (null for the first). */
export function nextEvent(type: EventType, order: Order, parent: DemoEvent | null): DemoEvent {
  return {
    event_id: randomUUID(),
    correlation_id: order.flowId,
    causation_id: parent?.event_id ?? null,
    event_type: type,
    occurred_at: new Date().toISOString(),
    schema_version: SCHEMA_VERSIONS[type],
    payload: payloadFor(type, order),
  };
}
