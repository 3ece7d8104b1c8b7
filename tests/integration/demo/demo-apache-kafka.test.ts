import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READY_LINE } from '@/scripts/demo/banner';
import { freePort } from '@/tests/support/ports';
import { connectionRefused, DemoProcess, descendants, isAlive } from './demo-process';

const run = promisify(execFile);

/*
 * The same demo on the in-repo test broker and on Apache Kafka, side by side, seen through clients
 * that share no code with Tidewatch or with each other: kcat (librdkafka) and kafka-python.
 */

interface Seen {
  topics: [string, number][];
  groups: string[];
  /**
   * The distinct failure-header key lists among the first dead letters of each DLQ topic, sorted. A set,
   * not a sequence: the demo's hostile batch and its flowing traffic reach the DLQ in either order.
   */
  deadLetterHeaders: Record<string, string[][]>;
}

const DLQ_TOPICS = ['payments.DLT', 'dlq-inventory-sink'];
const DEMO_GROUPS = ['analytics-loader', 'shipping-service'];
/** Enough to hold the demo's five hostile dead letters and some from its flowing traffic. */
const DEAD_LETTERS_READ = 12;
/** payments.DLT holds Spring's full failure headers and the hostile set's shorter deserialization ones. */
const DLQ_SHAPES: Record<string, number> = { 'payments.DLT': 2, 'dlq-inventory-sink': 1 };

async function kcatJson(args: string[]): Promise<string> {
  const { stdout } = await run('kcat', args, { timeout: 20_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function kafkaPythonGroups(bootstrap: string): Promise<string[]> {
  const script = [
    'import json, sys',
    'from kafka import KafkaAdminClient',
    'a = KafkaAdminClient(bootstrap_servers=sys.argv[1], client_id="demo-check", request_timeout_ms=10000)',
    'print(json.dumps(sorted(g for g, _ in a.list_consumer_groups())))',
    'a.close()',
  ].join('\n');
  const { stdout } = await run('/usr/bin/python3', ['-c', script, bootstrap], { timeout: 30_000 });
  return JSON.parse(stdout) as string[];
}

async function look(bootstrap: string): Promise<Seen> {
  const metadata = JSON.parse(await kcatJson(['-b', bootstrap, '-L', '-J'])) as {
    topics: { topic: string; partitions: unknown[] }[];
  };
  const topics = metadata.topics
    .filter((t) => !t.topic.startsWith('__'))
    .map((t): [string, number] => [t.topic, t.partitions.length])
    .sort(([a], [b]) => a.localeCompare(b));
  const deadLetterHeaders: Record<string, string[][]> = {};
  for (const topic of DLQ_TOPICS) {
    const out = await kcatJson([
      '-b',
      bootstrap,
      '-C',
      '-t',
      topic,
      '-o',
      'beginning',
      '-c',
      String(DEAD_LETTERS_READ),
      '-e',
      '-J',
    ]);
    const shapes = out
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => {
        const headers = (JSON.parse(line) as { headers?: string[] }).headers ?? [];
        // The failure headers only: the business headers vary with each event's envelope style.
        return headers.filter((h, i) => i % 2 === 0 && /^(kafka_dlt-|__connect\.errors\.)/.test(h));
      });
    deadLetterHeaders[topic] = [...new Set(shapes.map((keys) => JSON.stringify(keys)))]
      .sort()
      .map((keys) => JSON.parse(keys) as string[]);
  }
  return { topics, groups: await kafkaPythonGroups(bootstrap), deadLetterHeaders };
}

async function startDemo(env: Record<string, string>): Promise<{ demo: DemoProcess; bootstrap: string }> {
  const kafkaPort = await freePort();
  const demo = new DemoProcess({
    DEMO_NO_APP: '1',
    DEMO_RATE: '20',
    KAFKA_PORT: String(kafkaPort),
    SQS_PORT: String(await freePort()),
    ...env,
  });
  return { demo, bootstrap: `127.0.0.1:${kafkaPort}` };
}

/**
 * A free port can be taken by another process (an outgoing connection's local port, a peer started by
 * a parallel test) before the demo binds it; the demo then names it and exits 1. Pick again then.
 */
async function startReady(env: Record<string, string>, timeoutMs: number) {
  for (let attempt = 1; ; attempt++) {
    const started = await startDemo(env);
    try {
      await started.demo.waitForOutput(READY_LINE, timeoutMs);
      return started;
    } catch (error) {
      started.demo.killAll();
      const said = started.demo.stdout + started.demo.stderr;
      if (attempt >= 3 || !said.includes('is already in use')) throw error;
    }
  }
}

describe('TIDEWATCH_DEMO_KAFKA=apache npm run demo', () => {
  let ours: { demo: DemoProcess; bootstrap: string };
  let apache: { demo: DemoProcess; bootstrap: string };

  beforeAll(async () => {
    [ours, apache] = await Promise.all([
      startReady({}, 60_000),
      startReady({ TIDEWATCH_DEMO_KAFKA: 'apache' }, 120_000),
    ]);
  }, 300_000);

  afterAll(() => {
    ours?.demo.killAll();
    apache?.demo.killAll();
  });

  it('runs the demo flow on Apache Kafka, and independent clients see what they see on the test broker', async () => {
    expect(apache.demo.stdout).toMatch(/\[demo\] Apache Kafka 4\.\d+\.\d+ on 127\.0\.0\.1:\d+/);
    expect(apache.demo.stdout).toContain('(cluster "demo", Apache Kafka)');
    // Both flows need a few seconds to dead-letter and to commit; wait until both show everything.
    const deadline = Date.now() + 45_000;
    let seen: [Seen, Seen];
    for (;;) {
      seen = await Promise.all([look(ours.bootstrap), look(apache.bootstrap)]);
      const complete = seen.every(
        (s) =>
          DEMO_GROUPS.every((g) => s.groups.includes(g)) &&
          DLQ_TOPICS.every((t) => (s.deadLetterHeaders[t]?.length ?? 0) >= (DLQ_SHAPES[t] ?? 1)),
      );
      if (complete || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const [onOurs, onApache] = seen;
    expect(onApache.topics).toEqual(onOurs.topics);
    expect(onApache.topics.map(([t]) => t)).toEqual(
      expect.arrayContaining(['orders', 'payments', ...DLQ_TOPICS]),
    );
    const demoGroups = (s: Seen) => s.groups.filter((g) => !g.startsWith('demo-check'));
    expect(demoGroups(onApache)).toEqual(demoGroups(onOurs));
    expect(demoGroups(onApache)).toEqual(expect.arrayContaining(DEMO_GROUPS));
    expect(onApache.deadLetterHeaders).toEqual(onOurs.deadLetterHeaders);
    expect(onApache.deadLetterHeaders['payments.DLT']?.flat()).toEqual(
      expect.arrayContaining([
        'kafka_dlt-original-topic',
        'kafka_dlt-original-offset',
        'kafka_dlt-exception-fqcn',
      ]),
    );
    expect(onApache.deadLetterHeaders['dlq-inventory-sink']?.flat()).toEqual(
      expect.arrayContaining(['__connect.errors.topic', '__connect.errors.exception.class.name']),
    );
  }, 90_000);

  it('stops Apache Kafka with the demo on SIGINT: exit 0 and no JVM left', async () => {
    const tree = [apache.demo.pid, ...descendants(apache.demo.pid)];
    const { stdout } = await run('ps', ['-o', 'args=', '-p', tree.join(',')]);
    expect(stdout).toContain('kafka.Kafka');
    apache.demo.signalGroup('SIGINT');
    expect(await apache.demo.waitForExit(15_000), apache.demo.transcript()).toBe(0);
    expect(await connectionRefused(Number(apache.bootstrap.split(':')[1]))).toBe(true);
    expect(tree.filter(isAlive)).toEqual([]);
  }, 30_000);
});

describe('TIDEWATCH_DEMO_KAFKA=apache without Java', () => {
  it('fails at once, naming what is missing', async () => {
    const { demo } = await startDemo({ TIDEWATCH_DEMO_KAFKA: 'apache', JAVA_HOME: '/nonexistent-jdk' });
    const code = await demo.waitForExit(30_000);
    expect(code, demo.transcript()).toBe(1);
    expect(demo.stderr).toMatch(
      /no Java found \(\/nonexistent-jdk\/bin\/java\): Java 17 or newer is needed to run Apache Kafka/,
    );
  }, 40_000);

  it('refuses an unknown Kafka kind', async () => {
    const { demo } = await startDemo({ TIDEWATCH_DEMO_KAFKA: 'redpanda' });
    expect(await demo.waitForExit(20_000), demo.transcript()).toBe(1);
    expect(demo.stderr).toContain('TIDEWATCH_DEMO_KAFKA=redpanda is not a Kafka for the demo');
  }, 30_000);
});
