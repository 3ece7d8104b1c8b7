import 'server-only';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import type { FrozenMessage } from './frozen-message';
import { frozenMessages, type ItemPlace } from './replay-store';

/**
 * A batch's frozen messages, read a send's worth (`chunk`) at a time. `read(from)` gives the send's
 * messages from that place on, each read once, and starts the reads after it that should be under way
 * by the time it is on the wire: on PostgreSQL the next one too, so its round trip hides behind the
 * send; SQLite reads block the loop whenever they run, so none ahead (fewer messages held at once).
 * A read started ahead and never asked for (a batch put back) is not awaited.
 */
export function frozenReader(
  store: Store,
  jobId: string,
  batch: readonly ItemPlace[],
  chunk: number,
): (from: number) => Promise<FrozenMessage[]> {
  const reads = new Map<number, Promise<FrozenMessage[]>>();
  const start = (from: number) => {
    const started = reads.get(from);
    if (started) return started;
    const idxs = batch.slice(from, from + chunk).map((item) => item.idx);
    const messages = frozenMessages(store, jobId, idxs).then((found) =>
      idxs.map((idx) => {
        const message = found.get(idx);
        if (message === undefined)
          throw new ServiceError('internal', `replay ${jobId} holds no message ${idx}`);
        return message;
      }),
    );
    messages.catch(() => undefined);
    reads.set(from, messages);
    return messages;
  };
  const ahead = store.dialect === 'postgres' ? 1 : 0;
  return (from) => {
    for (let k = 1; k <= ahead; k++) if (from + k * chunk < batch.length) start(from + k * chunk);
    return start(from);
  };
}
