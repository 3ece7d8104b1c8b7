import 'server-only';
import type { TidewatchConfig } from '@/lib/config/schema';
import { type EnvelopeRules, extractEnvelope } from '@/lib/envelope/extract-envelope';
import type { BrowseCursor, DeadLetterMessage } from '@/server/brokers/dead-letter-source';
import { deadLetterSources } from '@/server/brokers/dead-letter-sources';
import { ServiceError } from '@/server/errors';
import type { ScanPartProgress, ScanSink } from './scan-types';

const PAGE = 100;

/**
 * Browses one SQS dead-letter queue as the DLQ page does (receive briefly, release, never delete), and
 * hands the messages sent within the range to the sink. SQS cannot seek by time: every message is read.
 * The caller has checked the queue is a DLQ: no other queue is ever received from.
 */
export async function scanSqsDlq(
  config: Pick<TidewatchConfig, 'kafka' | 'sqs'>,
  account: string,
  queue: string,
  progress: ScanPartProgress,
  rules: EnvelopeRules,
  sink: ScanSink,
): Promise<void> {
  const source = deadLetterSources(config).find((s) => s.kind === 'sqs' && s.name === account);
  if (!source) throw new ServiceError('not_found', `No SQS account named ${account} is configured`);
  let cursor: BrowseCursor | undefined;
  do {
    if (sink.stopReason() !== null) return;
    const limit = Math.min(PAGE, sink.budget());
    if (limit <= 0) return;
    const page = await source.browse(queue, { limit, cursor });
    for (const message of page.messages) {
      progress.scanned++;
      if (message.timestamp < sink.from || message.timestamp > sink.to) {
        sink.skip();
        continue;
      }
      const envelope = extractEnvelope(envelopeInput(message), rules);
      sink.offer(envelope, location(account, queue, message), size(message));
    }
    progress.total = progress.scanned + page.remaining;
    cursor = page.next ?? undefined;
  } while (cursor);
  progress.done = true;
}

function envelopeInput(m: DeadLetterMessage) {
  return {
    body: m.body,
    headers: m.headers.map((h) => ({ key: h.key, value: h.value })),
    systemAttributes: m.systemAttributes,
    timestamp: m.timestamp,
  };
}

function location(account: string, queue: string, m: DeadLetterMessage) {
  return {
    kind: 'sqs' as const,
    cluster: account,
    name: queue,
    partition: 0,
    offset: null,
    messageId: m.location.kind === 'sqs' ? m.location.messageId : m.id,
    dlq: true,
    indexedAt: m.timestamp,
  };
}

const size = (m: DeadLetterMessage) => m.body?.size ?? 0;
