import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { FormTraceSearch } from '@/components/trace/form-trace-search';
import { IndexCoverage } from '@/components/trace/index-coverage';
import { pageRole } from '@/lib/nav';
import { traceHref } from '@/lib/trace/format-trace';
import { requirePageRole } from '@/server/auth/guard';
import { getStore } from '@/server/store/get-store';
import { readIndexOverview } from '@/server/trace/index-overview';

export const metadata: Metadata = { title: 'Trace' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function TracePage({ searchParams }: { searchParams: SearchParams }) {
  await requirePageRole(pageRole('/trace'), '/trace');
  const params = await searchParams;
  // The form also works without script: a GET to /trace?q=… lands on the chain's own address.
  const q = typeof params.q === 'string' ? params.q.trim() : '';
  const kind = typeof params.kind === 'string' ? params.kind : 'auto';
  // An unknown kind travels on, so the chain page names it.
  if (q) redirect(traceHref(q, kind));
  const overview = await readIndexOverview(await getStore());
  return (
    <>
      <h1>Trace</h1>
      <p className="muted">
        Paste a correlation id, event id, causation id or business key value to see the flow it belongs to.
      </p>
      <FormTraceSearch value="" kind="auto" />
      <IndexCoverage sources={overview} now={Date.now()} />
    </>
  );
}
