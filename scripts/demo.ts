/**
 * `npm run demo`: the Kafka-protocol test broker, the SQS emulator, live order traffic and the app, in
 * one process tree that Ctrl-C (SIGINT) or SIGTERM stops cleanly.
 */

import { existsSync } from 'node:fs';
import path from 'node:path';
import { AppBuild, startApp } from './demo/app';
import { banner } from './demo/banner';
import { assertPortsFree, bindOrExplain, type NamedPort, PortInUseError } from './demo/ports';
import { type DemoSettings, readSettings, SettingsError } from './demo/settings';
import { startSimulator } from './demo/simulator';
import { startApacheKafka } from './peers/apache-kafka/index';
import { startKafkaBroker } from './peers/kafka-broker/index';
import { startLocalAwsSqs } from './peers/sqs';

const ROOT = path.resolve(import.meta.dirname, '..');
/** Shutdown must end well inside the ten seconds a terminal user waits before reaching for kill -9. */
const STOP_DEADLINE_MS = 9_000;

function log(line: string): void {
  console.log(`[demo] ${line}`);
}

class Cancelled extends Error {}

/** The app reads ./tidewatch.config.yaml when present, which would hide the demo's brokers and users. */
function configFileInTheWay(): string | null {
  const file = path.join(ROOT, 'tidewatch.config.yaml');
  return existsSync(file) ? file : null;
}

/** The demo's Kafka: the in-repo test broker by default, Apache Kafka itself with TIDEWATCH_DEMO_KAFKA=apache. */
async function startKafka(
  s: DemoSettings,
): Promise<{ label: string; bootstrap: string; stop(): Promise<void> }> {
  if (s.kafka === 'test-broker') {
    const broker = await startKafkaBroker({
      host: '127.0.0.1',
      port: s.kafkaPort,
      initialRebalanceDelayMs: 100,
    });
    return { label: 'Kafka test broker', bootstrap: broker.bootstrap, stop: () => broker.stop() };
  }
  log('starting Apache Kafka (the first run resolves its jars from Maven Central)…');
  const kafka = await startApacheKafka({ port: s.kafkaPort, heap: '512m' });
  return { label: `Apache Kafka ${kafka.version}`, bootstrap: kafka.bootstrap, stop: () => kafka.stop() };
}

class Demo {
  private readonly stoppers: { name: string; stop: () => Promise<void> }[] = [];
  private readonly build = new AppBuild();
  private starting: Promise<void> = Promise.resolve();
  stopping = false;

  constructor(private readonly settings: DemoSettings) {}

  private ports(): { kafka: NamedPort; sqs: NamedPort; app: NamedPort } {
    const s = this.settings;
    return {
      kafka: { port: s.kafkaPort, role: 'Kafka broker', envVar: 'KAFKA_PORT' },
      sqs: { port: s.sqsPort, role: 'SQS emulator', envVar: 'SQS_PORT' },
      app: { port: s.appPort, role: 'Tidewatch app', envVar: 'PORT' },
    };
  }

  private own(name: string, stop: () => Promise<void>): void {
    this.stoppers.push({ name, stop });
    if (this.stopping) throw new Cancelled();
  }

  start(): Promise<void> {
    this.starting = this.run();
    return this.starting;
  }

  private async run(): Promise<void> {
    const s = this.settings;
    const ports = this.ports();
    await assertPortsFree(s.withApp ? [ports.kafka, ports.sqs, ports.app] : [ports.kafka, ports.sqs]);
    const broker = await bindOrExplain(ports.kafka, () => startKafka(s));
    this.own('Kafka broker', () => broker.stop());
    const sqs = await bindOrExplain(ports.sqs, () => startLocalAwsSqs({ port: s.sqsPort }));
    this.own('SQS emulator', () => sqs.stop());
    log(`${broker.label} on ${broker.bootstrap}, SQS emulator on ${sqs.endpoint}`);

    const peers = { kafkaBootstrap: broker.bootstrap, sqsEndpoint: sqs.endpoint };
    const simulator = await startSimulator({ ...peers, rate: s.rate, log });
    this.own('traffic simulator', async () => {
      await simulator.stop();
      const { started, completed, failedInventory, failedPayment } = simulator.stats;
      log(
        `traffic: ${started} orders, ${completed} shipped, ${failedInventory + failedPayment} dead-lettered`,
      );
    });
    log('topics, queues and consumer groups are set up; traffic is flowing');

    let appUrl: string | null = null;
    if (s.withApp) {
      const file = configFileInTheWay();
      if (file) log(`warning: ${file} exists, so the app uses it instead of the demo config`);
      await this.build.run();
      if (this.stopping) throw new Cancelled();
      const app = await startApp(s, peers);
      this.own('app', () => app.stop());
      appUrl = app.url;
    }
    console.log(banner({ settings: s, appUrl, ...peers }));
  }

  /** Stops everything started so far, newest first; safe to call while start() is still under way. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.build.cancel();
    await this.starting.catch(() => {});
    for (const { name, stop } of this.stoppers.reverse()) {
      try {
        await stop();
      } catch (err) {
        log(`stopping the ${name} failed: ${String(err)}`);
      }
    }
    this.stoppers.length = 0;
  }
}

function fail(message: string): never {
  console.error(`[demo] ${message}`);
  process.exit(1);
}

async function main(): Promise<void> {
  // The SDK's notice about its future Node 22 requirement is noise in a demo terminal.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let settings: DemoSettings;
  try {
    settings = readSettings(process.env);
  } catch (err) {
    if (err instanceof SettingsError) fail(err.message);
    throw err;
  }
  const demo = new Demo(settings);
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // The terminal signals the whole process group, so the same Ctrl-C can arrive more than once.
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping…`);
    setTimeout(() => fail('did not stop in time; exiting anyway'), STOP_DEADLINE_MS).unref();
    demo.stop().then(
      () => {
        log('stopped');
        process.exit(0);
      },
      (err: unknown) => fail(`stopping failed: ${String(err)}`),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    await demo.start();
  } catch (err) {
    if (err instanceof Cancelled || demo.stopping) return;
    const message = err instanceof PortInUseError ? err.message : `could not start: ${String(err)}`;
    await demo.stop();
    fail(message);
  }
}

void main();
