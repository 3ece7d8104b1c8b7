import type { Admin, Producer } from 'kafkajs';
import { type ConsumerGroups, startConsumerGroups } from './consumer-groups';
import { sendHostileKafka, sendHostileSqs } from './hostile';
import { createDemoTopics, demoKafka, KafkaTraffic } from './kafka-traffic';
import { jitter, Lifecycle } from './lifecycle';
import { type DemoEvent, type EventType, newOrder, nextEvent, type Order } from './order-flow';
import { SqsWorker } from './sqs-consumer';
import { createDemoQueues, demoSqsClient } from './sqs-queues';
import { SqsTraffic } from './sqs-traffic';

/** Share of reservations the inventory sink connector fails on, and of payments shipping-service fails on. */
const INVENTORY_FAILURE = 0.03;
const PAYMENT_FAILURE = 0.04;
/** Mean pause between the steps of one flow: services react within a few hundred milliseconds. */
const STEP_DELAY_MS = 250;
/** Flows in flight beyond this are skipped: a stalled broker must not pile up work without bound. */
const MAX_IN_FLIGHT = 500;

export interface SimulatorOptions {
  kafkaBootstrap: string;
  sqsEndpoint: string;
  /** Order flows started per second; 0 starts none. */
  rate: number;
  log: (line: string) => void;
}

export interface SimulatorStats {
  started: number;
  completed: number;
  failedInventory: number;
  failedPayment: number;
}

export interface Simulator {
  stats: SimulatorStats;
  stop(): Promise<void>;
}

class Flows {
  readonly stats: SimulatorStats = { started: 0, completed: 0, failedInventory: 0, failedPayment: 0 };
  inFlight = 0;

  constructor(
    private readonly kafka: KafkaTraffic,
    private readonly sqs: SqsTraffic,
    private readonly life: Lifecycle,
  ) {}

  /** Publishes the next event after a short pause; null when the demo stopped meanwhile. */
  private async step(type: EventType, order: Order, parent: DemoEvent) {
    if (!(await this.life.sleep(jitter(STEP_DELAY_MS)))) return null;
    const event = nextEvent(type, order, parent);
    return { event, ...(await this.kafka.publish(event)) };
  }

  /** One order from placement to shipment; a failure dead-letters the event and ends the flow there. */
  async run(order: Order): Promise<void> {
    this.stats.started++;
    const placed = nextEvent('OrderPlaced', order, null);
    await this.kafka.publish(placed);
    const reserved = await this.step('InventoryReserved', order, placed);
    if (!reserved) return;
    if (Math.random() < INVENTORY_FAILURE) {
      this.stats.failedInventory++;
      return this.kafka.deadLetterInventory(reserved.message, reserved.original);
    }
    const paid = await this.step('PaymentAuthorized', order, reserved.event);
    if (!paid) return;
    if (Math.random() < PAYMENT_FAILURE) {
      this.stats.failedPayment++;
      return this.kafka.deadLetterPayment(paid.message, paid.original);
    }
    const shipped = await this.step('ShipmentCreated', order, paid.event);
    if (!shipped) return;
    await this.sqs.requestShipping(shipped.event);
    await this.sqs.notifyCustomer(shipped.event);
    this.stats.completed++;
  }

  /** Starts flows at `rate` per second on average until the lifecycle stops. */
  async schedule(rate: number, log: (line: string) => void): Promise<void> {
    while (this.life.running) {
      if (this.inFlight < MAX_IN_FLIGHT) {
        this.inFlight++;
        const flow = this.run(newOrder()).finally(() => this.inFlight--);
        this.life.track(flow, (err) => {
          if (this.life.running) log(`order flow failed: ${String(err)}`);
        });
      }
      await this.life.sleep(jitter(1000 / rate));
    }
  }
}

async function setUp(admin: Admin, producer: Producer): Promise<void> {
  await admin.connect();
  await createDemoTopics(admin);
  await producer.connect();
}

/** Creates the demo's topics, queues and groups, sends the hostile set once, then keeps traffic flowing. */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const { log } = options;
  const life = new Lifecycle();
  const kafka = demoKafka(options.kafkaBootstrap, 'tidewatch-demo');
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const sqsClient = demoSqsClient(options.sqsEndpoint);
  const workers: SqsWorker[] = [];
  let groups: ConsumerGroups | null = null;

  const stop = async () => {
    const draining = life.stop();
    for (const worker of workers) worker.stop();
    await draining;
    await groups?.stop();
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    sqsClient.destroy();
  };

  try {
    await setUp(admin, producer);
    const queues = await createDemoQueues(sqsClient);
    await sendHostileKafka(producer);
    await sendHostileSqs(sqsClient, queues.shippingDlq);
    groups = await startConsumerGroups(kafka, options.rate, life, log);
    for (const url of [queues.shipping, queues.notifications]) {
      const worker = new SqsWorker(sqsClient, url, life, log);
      workers.push(worker);
      worker.start();
    }
    const flows = new Flows(new KafkaTraffic(producer), new SqsTraffic(sqsClient, queues), life);
    if (options.rate > 0)
      life.track(flows.schedule(options.rate, log), (err) => log(`scheduler: ${String(err)}`));
    return { stats: flows.stats, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
