import 'server-only';
import { type DlqView, dlqSubjectId } from '@/lib/fleet/fleet-view';
import type { SampleRow } from '@/server/history/samples';
import type { SqsFleetQueue, SqsFleetSnapshot, SqsOldestAge } from './sqs-fleet';
import { judge, type SourceFigures, type ViewContext } from './view-context';

/** One SQS account's DLQs, judged. Source queues are not subjects: their backlog is their consumers'. */
export function sqsFleetView(
  account: string,
  snapshot: SqsFleetSnapshot,
  ctx: ViewContext,
): SourceFigures<never, DlqView> {
  const samples: SampleRow[] = [];
  const dlqs = snapshot.queues.filter((q) => q.deadLetter).map((q) => dlqView(account, q, ctx, samples));
  return { groups: [], dlqs, samples };
}

function dlqView(account: string, q: SqsFleetQueue, ctx: ViewContext, samples: SampleRow[]): DlqView {
  const id = dlqSubjectId('sqs', account, q.name);
  // In flight counts: a message someone is reading is still dead-lettered until deleted.
  const depth = q.depth ? q.depth.visible + q.depth.inFlight : null;
  const age = q.deadLetter?.oldestAge;
  const oldestAgeSeconds = age && age.seconds !== null ? age.seconds : null;
  if (depth !== null) samples.push({ series: id, metric: 'depth', value: depth });
  if (oldestAgeSeconds !== null) samples.push({ series: id, metric: 'oldest_age', value: oldestAgeSeconds });
  return {
    id,
    kind: 'sqs',
    source: account,
    name: q.name,
    depth,
    depthMethod:
      'visible + in flight (ApproximateNumberOfMessages + NotVisible; SQS counts settle within a minute)',
    sqsDepth: q.depth,
    oldestAgeSeconds,
    oldestAgeNote: age ? ageNote(age) : null,
    sources: (q.deadLetter?.sources ?? []).map((s) => s.name).sort(),
    judgement: judge(ctx, id, [
      {
        subject: { cluster: account, queue: q.name },
        figures: { dlqDepth: depth, dlqOldestAgeSeconds: oldestAgeSeconds },
      },
    ]),
    error: q.error?.message ?? q.deadLetter?.sourcesError?.message ?? null,
  };
}

function ageNote(age: SqsOldestAge): string | null {
  if (age.seconds !== null) {
    return age.complete ? null : `at least this old: ${age.sampled} messages browsed, not all of them`;
  }
  return age.reason === 'empty' ? null : age.detail;
}
