import type { ApiSpec, RequestContext } from '../context';
import { allocateProducerId } from '../producer-state';
import { ErrorCode } from '../protocol/errors';
import type { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';

/**
 * InitProducerId for the idempotent producer: a new producer id at epoch 0. With a transactional id
 * it answers COORDINATOR_NOT_AVAILABLE, as FindCoordinator does for a transaction coordinator: this
 * broker serves no transactions. Versions 0–1 (2 on are flexible).
 */
function handle(ctx: RequestContext, r: Reader): Buffer {
  const transactionalId = r.nullableString();
  r.int32();
  const w = new Writer().int32(0);
  if (transactionalId !== null)
    return w.int16(ErrorCode.COORDINATOR_NOT_AVAILABLE).int64(-1).int16(-1).toBuffer();
  return w.int16(ErrorCode.NONE).int64(allocateProducerId(ctx.state.log)).int16(0).toBuffer();
}

export const initProducerIdApi: ApiSpec = { key: 22, name: 'InitProducerId', maxVersion: 1, handle };
