import type { ApiSpec, RequestContext } from '../context';
import { ErrorCode } from '../protocol/errors';
import type { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';

const GROUP_KEY_TYPE = 0;

interface Coordinator {
  key: string;
  errorCode: number;
  message: string | null;
  nodeId: number;
  host: string;
  port: number;
}

// Kafka's texts (its Errors table) for the codes FindCoordinator may answer here, faults included.
const ERROR_MESSAGES: Record<number, string> = {
  [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]: "The coordinator is loading and hence can't process requests.",
  [ErrorCode.COORDINATOR_NOT_AVAILABLE]: 'The coordinator is not available.',
  [ErrorCode.NOT_COORDINATOR]: 'This is not the correct coordinator.',
  [ErrorCode.GROUP_AUTHORIZATION_FAILED]: 'Group authorization failed.',
};

function coordinatorFor(ctx: RequestContext, key: string, keyType: number): Coordinator {
  // Transactions are not served, so there is no transaction coordinator to name.
  const errorCode =
    keyType === GROUP_KEY_TYPE
      ? ctx.state.groupFaults.take('FindCoordinator', key)
      : ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (errorCode !== ErrorCode.NONE) {
    // As Kafka answers a failed key: no node, and the message of its error table.
    return { key, errorCode, message: ERROR_MESSAGES[errorCode] ?? null, nodeId: -1, host: '', port: -1 };
  }
  ctx.state.offsets.ensureTopic();
  const { state } = ctx;
  // Kafka 4 answers a found v4 key with an empty message, not null.
  return { key, errorCode, message: '', nodeId: state.brokerId, host: state.host, port: state.port() };
}

/** v0–v3: one key. v1 adds the key type, throttle time and message; v3 is flexible. */
function findOne(ctx: RequestContext, r: Reader): Buffer {
  const v = ctx.apiVersion;
  const flexible = v >= 3;
  const key = flexible ? r.compactString() : r.string();
  const keyType = v >= 1 ? r.int8() : GROUP_KEY_TYPE;
  if (flexible) r.taggedFields();
  const c = coordinatorFor(ctx, key, keyType);
  // Kafka fills the message from its error table, which names the code itself when there is no error.
  const message = c.errorCode === ErrorCode.NONE ? 'NONE' : c.message;
  const w = new Writer();
  if (v >= 1) w.int32(0);
  w.int16(c.errorCode);
  if (v >= 1) flexible ? w.compactNullableString(message) : w.nullableString(message);
  w.int32(c.nodeId);
  flexible ? w.compactString(c.host) : w.string(c.host);
  w.int32(c.port);
  if (flexible) w.taggedFields();
  return w.toBuffer();
}

/** v4 (KIP-699): many keys in one request, each answered with its own coordinator or error. */
function findMany(ctx: RequestContext, r: Reader): Buffer {
  const keyType = r.int8();
  const keys = r.compactArray((r) => r.compactString());
  r.taggedFields();
  const w = new Writer().int32(0);
  w.compactArray(
    keys.map((key) => coordinatorFor(ctx, key, keyType)),
    (w, c) => {
      w.compactString(c.key).int32(c.nodeId).compactString(c.host).int32(c.port);
      w.int16(c.errorCode).compactNullableString(c.message).taggedFields();
    },
  );
  return w.taggedFields().toBuffer();
}

export const findCoordinatorApi: ApiSpec = {
  key: 10,
  name: 'FindCoordinator',
  maxVersion: 4,
  flexibleFrom: 3,
  handle: (ctx, r) => (ctx.apiVersion >= 4 ? findMany(ctx, r) : findOne(ctx, r)),
};
