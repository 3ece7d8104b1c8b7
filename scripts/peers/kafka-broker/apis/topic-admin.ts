import { OFFSETS_TOPIC } from '../consumer-offsets';
import type { ApiSpec, BrokerState, RequestContext } from '../context';
import { DEFAULT_TOPIC_CONFIGS } from '../log';
import { ErrorCode } from '../protocol/errors';
import type { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';
import { isValidTopicName } from './metadata';

interface CreateTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assigned: number;
  configs: Map<string, string>;
}

function readCreateTopic(r: Reader): CreateTopic {
  const name = r.string();
  const numPartitions = r.int32();
  const replicationFactor = r.int16();
  const assigned = r.array((r) => [r.int32(), r.array((r) => r.int32())]).length;
  const configs = new Map<string, string>();
  for (const c of r.array((r) => ({ name: r.string(), value: r.nullableString() }))) {
    if (c.value !== null) configs.set(c.name, c.value);
  }
  return { name, numPartitions, replicationFactor, assigned, configs };
}

function validate(state: BrokerState, t: CreateTopic): { code: number; message: string | null } {
  if (state.log.topics.has(t.name)) {
    return { code: ErrorCode.TOPIC_ALREADY_EXISTS, message: `Topic '${t.name}' already exists.` };
  }
  // The offsets topic is the coordinator's to create.
  if (!isValidTopicName(t.name) || t.name === OFFSETS_TOPIC) {
    return { code: ErrorCode.INVALID_TOPIC_EXCEPTION, message: 'Invalid or reserved topic name.' };
  }
  // -1 asks for the broker default; other values below one are invalid.
  if (t.assigned === 0 && (t.numPartitions === 0 || t.numPartitions < -1)) {
    return { code: ErrorCode.INVALID_PARTITIONS, message: 'Number of partitions must be positive.' };
  }
  // A single broker can hold one replica of each partition.
  if (t.replicationFactor > 1) {
    return {
      code: ErrorCode.INVALID_REPLICATION_FACTOR,
      message: 'Replication factor is larger than the 1 available broker.',
    };
  }
  return { code: ErrorCode.NONE, message: null };
}

function createTopics(ctx: RequestContext, r: Reader): Buffer {
  const v = ctx.apiVersion;
  const topics = r.array(readCreateTopic);
  r.int32();
  const validateOnly = v >= 1 ? r.bool() : false;
  const w = new Writer();
  if (v >= 2) w.int32(0);
  w.array(topics, (w, t) => {
    const { code, message } = validate(ctx.state, t);
    if (code === ErrorCode.NONE && !validateOnly) {
      const partitions =
        t.assigned > 0 ? t.assigned : t.numPartitions > 0 ? t.numPartitions : ctx.state.defaultPartitions;
      ctx.state.log.createTopic(t.name, partitions, t.configs);
    }
    w.string(t.name).int16(code);
    if (v >= 1) w.nullableString(message);
  });
  return w.toBuffer();
}

function deleteTopics(ctx: RequestContext, r: Reader): Buffer {
  const names = r.array((r) => r.string());
  r.int32();
  const w = new Writer();
  if (ctx.apiVersion >= 1) w.int32(0);
  w.array(names, (w, name) => {
    const deleted = ctx.state.log.deleteTopic(name);
    if (deleted) ctx.state.coordinator.forgetTopic(name);
    w.string(name).int16(deleted ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
  return w.toBuffer();
}

const TOPIC_RESOURCE = 2;
const BROKER_RESOURCE = 4;
const SOURCE_TOPIC = 1;
const SOURCE_STATIC_BROKER = 4;
const SOURCE_DEFAULT = 5;

interface ConfigEntry {
  name: string;
  value: string;
  source: number;
}

function brokerConfigs(state: BrokerState): ConfigEntry[] {
  const entries: [string, string][] = [
    ['broker.id', String(state.brokerId)],
    ['auto.create.topics.enable', String(state.autoCreateTopics)],
    ['num.partitions', String(state.defaultPartitions)],
    ['log.retention.ms', DEFAULT_TOPIC_CONFIGS.get('retention.ms') ?? ''],
    ['log.cleanup.policy', 'delete'],
    ['offsets.topic.num.partitions', '50'],
    ['default.replication.factor', '1'],
  ];
  return entries.map(([name, value]) => ({ name, value, source: SOURCE_STATIC_BROKER }));
}

function topicConfigs(overrides: Map<string, string>): ConfigEntry[] {
  const names = new Set([...DEFAULT_TOPIC_CONFIGS.keys(), ...overrides.keys()]);
  return [...names].map((name) => {
    const own = overrides.get(name);
    return own !== undefined
      ? { name, value: own, source: SOURCE_TOPIC }
      : { name, value: DEFAULT_TOPIC_CONFIGS.get(name) ?? '', source: SOURCE_DEFAULT };
  });
}

function resolveResource(
  state: BrokerState,
  type: number,
  name: string,
): { code: number; entries: ConfigEntry[] } {
  if (type === BROKER_RESOURCE) return { code: ErrorCode.NONE, entries: brokerConfigs(state) };
  if (type !== TOPIC_RESOURCE) return { code: ErrorCode.INVALID_REQUEST, entries: [] };
  const topic = state.log.topics.get(name);
  if (!topic) return { code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, entries: [] };
  return { code: ErrorCode.NONE, entries: topicConfigs(topic.configs) };
}

function describeConfigs(ctx: RequestContext, r: Reader): Buffer {
  const v = ctx.apiVersion;
  const resources = r.array((r) => ({
    type: r.int8(),
    name: r.string(),
    keys: r.nullableArray((r) => r.string()),
  }));
  const synonyms = v >= 1 ? r.bool() : false;
  const w = new Writer().int32(0);
  w.array(resources, (w, res) => {
    const { code, entries } = resolveResource(ctx.state, res.type, res.name);
    const wanted =
      res.keys && res.keys.length > 0 ? entries.filter((e) => res.keys?.includes(e.name)) : entries;
    w.int16(code).nullableString(null).int8(res.type).string(res.name);
    w.array(wanted, (w, e) => {
      w.string(e.name).nullableString(e.value).bool(false);
      if (v === 0) w.bool(e.source === SOURCE_DEFAULT);
      else w.int8(e.source);
      w.bool(false);
      if (v >= 1)
        w.array(synonyms ? [e] : [], (w, s) => w.string(s.name).nullableString(s.value).int8(s.source));
    });
  });
  return w.toBuffer();
}

export const topicAdminApis: ApiSpec[] = [
  { key: 19, name: 'CreateTopics', maxVersion: 3, handle: createTopics },
  { key: 20, name: 'DeleteTopics', maxVersion: 1, handle: deleteTopics },
  { key: 32, name: 'DescribeConfigs', maxVersion: 2, handle: describeConfigs },
];
