import type { Metadata } from 'next';
import { FormTraceSearch } from '@/components/trace/form-trace-search';
import { IndexCoverage } from '@/components/trace/index-coverage';
import { PanelLiveScan } from '@/components/trace/panel-live-scan';
import { ViewChain } from '@/components/trace/view-chain';
import { segmentName } from '@/lib/fleet/links';
import { pageRole } from '@/lib/nav';
import { requirePageRole } from '@/server/auth/guard';
import { getConfig } from '@/server/config';
import { ServiceError } from '@/server/errors';
import { getStore } from '@/server/store/get-store';
import { readIndexOverview } from '@/server/trace/index-overview';
import { searchTrace, TRACE_QUERY_KINDS, type TraceResult } from '@/server/trace/search-trace';

type Params = Promise<{ id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;
type Kind = (typeof TRACE_QUERY_KINDS)[number];
const ROUTE = '/trace/[id]';

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  // The title quotes the id, so it is shown only to whoever may open the page.
  await requirePageRole(pageRole('/trace'), { route: ROUTE, params });
  return { title: `Trace ${segmentName((await params).id).slice(0, 60)}` };
}

const isKind = (value: unknown): value is Kind => (TRACE_QUERY_KINDS as readonly unknown[]).includes(value);

export default async function TraceChainPage({
  params,
  searchParams,
}: {
  params: Params;
  searchParams: SearchParams;
}) {
  await requirePageRole(pageRole('/trace'), { route: ROUTE, params });
  const rawKind = (await searchParams).kind ?? 'auto';
  const kind = isKind(rawKind) ? rawKind : 'auto';
  const value = segmentName((await params).id);
  const store = await getStore();
  let result: TraceResult | null = null;
  // A hand-edited link gets a message naming the bad part, never a silent guess.
  let problem: string | null = isKind(rawKind)
    ? null
    : `kind: expected one of ${TRACE_QUERY_KINDS.join(', ')}`;
  try {
    if (!problem) result = await searchTrace(store, { kind, value });
  } catch (error) {
    if (!(error instanceof ServiceError && error.code === 'invalid_input')) throw error;
    problem = error.message;
  }
  const now = Date.now();
  const { config } = getConfig();
  const found = result !== null && result.matched !== null;
  return (
    <>
      <h1>Trace</h1>
      <FormTraceSearch value={value} kind={kind} />
      {problem ? (
        <p className="banner tone-warn" role="alert" data-testid="trace-problem">
          {problem}
        </p>
      ) : null}
      {found && result ? (
        <ViewChain resultJson={JSON.stringify(result)} expectations={config.trace.expectations} now={now} />
      ) : (
        <>
          {problem ? null : (
            <>
              <p className="banner" data-testid="trace-empty">
                The index has nothing for <code>{value}</code>
                {kind === 'auto'
                  ? ' as an event, correlation, causation id or business key.'
                  : ` as a ${kind} id.`}
              </p>
              <PanelLiveScan
                key={`${kind}:${value}`}
                value={value}
                kind={kind}
                limits={config.trace.scan}
                expectations={config.trace.expectations}
              />
            </>
          )}
          <IndexCoverage sources={await readIndexOverview(store)} now={now} />
        </>
      )}
    </>
  );
}
