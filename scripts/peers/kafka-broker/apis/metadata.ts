import { OFFSETS_TOPIC } from '../consumer-offsets';
import type { ApiSpec, BrokerState, RequestContext } from '../context';
import type { Topic } from '../log';
import { ErrorCode } from '../protocol/errors';
import type { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function isValidTopicName(name: string): boolean {
  return TOPIC_NAME.test(name) && name !== '.' && name !== '..';
}

/** Creates a topic the way `auto.create.topics.enable` would, when the broker allows it. */
export function autoCreate(state: BrokerState, name: string): Topic | undefined {
  // Asking for the offsets topic brings up the internal one, whatever the auto-create setting.
  if (name === OFFSETS_TOPIC) {
    state.offsets.ensureTopic();
    return state.log.topics.get(name);
  }
  if (!state.autoCreateTopics || !isValidTopicName(name)) return undefined;
  return state.log.createTopic(name, state.defaultPartitions);
}

function handle(ctx: RequestContext, r: Reader): Buffer {
  const v = ctx.apiVersion;
  const requested = r.nullableArray((r) => r.string());
  // v4 added the flag; before it, a metadata request always allowed auto-creation.
  const allowCreate = v >= 4 ? r.bool() : true;
  const { state } = ctx;
  // v0 used an empty list to mean every topic; v1+ uses null.
  const all = requested === null || (v === 0 && requested.length === 0);
  const names = all ? [...state.log.topics.keys()] : requested;

  const w = new Writer();
  if (v >= 3) w.int32(0);
  w.array([state.brokerId], (w, id) => {
    w.int32(id).string(state.host).int32(state.port());
    if (v >= 1) w.nullableString(null);
  });
  if (v >= 2) w.nullableString('tidewatch-test-cluster');
  if (v >= 1) w.int32(state.brokerId);
  w.array(names, (w, name) => {
    let topic = state.log.topics.get(name);
    if (!topic && allowCreate) topic = autoCreate(state, name);
    const code = topic ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    w.int16(code).string(name);
    if (v >= 1) w.bool(topic?.internal ?? false);
    w.array(topic?.partitions ?? [], (w, p) => {
      w.int16(ErrorCode.NONE).int32(p.index).int32(state.brokerId);
      w.int32Array([state.brokerId]).int32Array([state.brokerId]);
      if (v >= 5) w.int32Array([]);
    });
  });
  return w.toBuffer();
}

export const metadataApi: ApiSpec = { key: 3, name: 'Metadata', maxVersion: 6, handle };
