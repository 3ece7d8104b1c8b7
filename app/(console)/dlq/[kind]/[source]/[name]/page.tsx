import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { SectionDlqMessages } from '@/components/dlq/section-dlq-messages';
import { FleetPage } from '@/components/fleet/fleet-page';
import { LiveDlq } from '@/components/fleet/live-dlq';
import { TableReplayJobs } from '@/components/replay/table-replay-jobs';
import { PanelBadLink } from '@/components/shell/panel-bad-link';
import type { DlqData } from '@/lib/fleet/fleet-data';
import type { BrokerKind } from '@/lib/fleet/fleet-view';
import { DEFAULT_RANGE } from '@/lib/fleet/history-query';
import { segmentName } from '@/lib/fleet/links';
import { pageRole } from '@/lib/nav';
import { nameSegment, queryProblems } from '@/lib/page-query';
import { z } from '@/lib/zod';
import { requirePageRole } from '@/server/auth/guard';
import { getConfig } from '@/server/config';
import { ServiceError } from '@/server/errors';
import { dlqThresholds, readDlq, readHistory } from '@/server/fleet/fleet-queries';
import { listReplayJobs } from '@/server/replay/list-replays';
import type { Store } from '@/server/store/db';
import { getStore } from '@/server/store/get-store';

type Params = Promise<{ kind: string; source: string; name: string }>;
const ROUTE = '/dlq/[kind]/[source]/[name]';
const RECENT_REPLAYS = 10;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  // The title names the DLQ, so it is shown only to whoever may open the page.
  await requirePageRole(pageRole('/dlq'), { route: ROUTE, params });
  return { title: segmentName((await params).name) };
}

const dlqParams = z.object({ source: nameSegment, name: nameSegment });

const isKind = (kind: string): kind is BrokerKind => kind === 'kafka' || kind === 'sqs';

async function readOrNotFound(
  store: Store,
  kind: BrokerKind,
  source: string,
  name: string,
): Promise<DlqData> {
  try {
    return await readDlq(store, kind, source, name);
  } catch (error) {
    if (error instanceof ServiceError && error.code === 'not_found') notFound();
    throw error;
  }
}

export default async function DlqDetailPage({ params }: { params: Params }) {
  const user = await requirePageRole(pageRole('/dlq'), { route: ROUTE, params });
  const raw = await params;
  if (!isKind(raw.kind)) notFound();
  const kind = raw.kind;
  const [source, name] = [segmentName(raw.source), segmentName(raw.name)];
  const problems = queryProblems(dlqParams, { source, name });
  if (problems.length > 0) {
    return <PanelBadLink problems={problems} href="/dlq" label="All dead-letter queues" />;
  }
  const { config } = getConfig();
  const store = await getStore();
  const renderedAt = Date.now();
  const initial = await readOrNotFound(store, kind, source, name);
  const dlq = initial.snapshot?.dlq;
  const history = (metric: 'depth' | 'oldest_age') =>
    dlq ? readHistory(store, { series: dlq.id, metric, range: DEFAULT_RANGE }, renderedAt) : null;
  const [depth, oldestAge, replays] = await Promise.all([
    history('depth'),
    history('oldest_age'),
    listReplayJobs(store, { source, dlq: name, limit: RECENT_REPLAYS }),
  ]);
  return (
    <FleetPage config={config} renderedAt={renderedAt}>
      <LiveDlq
        kind={kind}
        source={source}
        name={name}
        initial={initial}
        initialHistory={depth && oldestAge ? { depth, oldest_age: oldestAge } : null}
        thresholds={dlqThresholds(config.thresholds, { kind, source, name })}
        renderedAt={renderedAt}
      />
      <Suspense fallback={<p className="small">Reading the messages…</p>}>
        <SectionDlqMessages config={config} user={user} kind={kind} source={source} name={name} />
      </Suspense>
      <section aria-labelledby="dlq-replays">
        <h2 id="dlq-replays">Replays of this DLQ</h2>
        <TableReplayJobs
          jobs={replays.filter((j) => j.kind === kind)}
          empty="Nothing has been replayed from this DLQ yet."
        />
      </section>
    </FleetPage>
  );
}
