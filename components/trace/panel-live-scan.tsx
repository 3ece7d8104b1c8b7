'use client';

import { useEffect, useState } from 'react';
import type { TraceExpectation } from '@/lib/config/trace-expect-schema';
import { cancelTraceScan, listTraceScanTargets, startTraceScan } from '@/server/actions/trace-actions';
import type { TraceResult } from '@/server/trace/search-trace';
import type { ScanChoices } from '@/server/trace-scan/scan-targets';
import type { ScanSnapshot, ScanTarget } from '@/server/trace-scan/scan-types';
import { ListScanParts } from './list-scan-parts';
import { ViewChain } from './view-chain';

export interface ScanLimits {
  defaultMinutes: number;
  maxSpanHours: number;
  maxMessages: number;
  maxSeconds: number;
  maxTargets: number;
}

const POLL_MS = 500;
const keyOf = (t: ScanTarget) => `${t.kind}\u0000${t.cluster}\u0000${t.name}`;
/** The inputs speak UTC to the second, as incident notes quote times. */
const utcInput = (ms: number) => new Date(ms).toISOString().slice(0, 19);
const fromUtcInput = (text: string) => Date.parse(`${text.length === 16 ? `${text}:00` : text}Z`);

/**
 * Offered when the index has nothing for an id: reads chosen topics (and SQS DLQs) from the brokers
 * over a time range, with progress and cancel, and shows what it found as a chain, labelled as such.
 */
export function PanelLiveScan({
  value,
  kind,
  limits,
  expectations,
}: {
  value: string;
  kind: TraceResult['query']['kind'];
  limits: ScanLimits;
  expectations: TraceExpectation[];
}) {
  const [open, setOpen] = useState(false);
  const [choices, setChoices] = useState<ScanChoices | null>(null);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [scan, setScan] = useState<ScanSnapshot | null>(null);
  const [busy, setBusy] = useState(false);

  const running = scan?.state === 'running';
  const scanId = scan?.id ?? null;
  useEffect(() => {
    if (!running || scanId === null) return;
    let live = true;
    let inFlight = false;
    const timer = setInterval(async () => {
      if (inFlight) return;
      inFlight = true;
      try {
        const response = await fetch(`/api/trace-scan/${scanId}`, { cache: 'no-store' });
        const body = (await response.json()) as unknown;
        if (!live) return;
        if (response.ok) setScan(body as ScanSnapshot);
        else {
          // Gone (expired, or the server restarted): stop polling and say why.
          const message = (body as { error?: { message?: string } }).error?.message;
          setScan(
            (old) => old && { ...old, state: 'failed', error: message ?? 'The scan could not be read.' },
          );
        }
      } catch {
        if (live) setError('Lost touch with the scan; it may still be running.');
      } finally {
        inFlight = false;
      }
    }, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [running, scanId]);

  const reveal = async () => {
    setOpen(true);
    setFrom(utcInput(Date.now() - limits.defaultMinutes * 60_000));
    const listed = await listTraceScanTargets({});
    if (listed.ok) setChoices(listed.data);
    else setError(listed.error.message);
  };

  const start = async () => {
    const targets = (choices?.choices ?? []).filter((c) => picked.has(keyOf(c)));
    const range = { from: fromUtcInput(from), to: to ? fromUtcInput(to) : Date.now() };
    if (targets.length === 0) return setError('Choose at least one topic or queue.');
    if (!Number.isFinite(range.from) || !Number.isFinite(range.to))
      return setError('Enter a valid time range.');
    setBusy(true);
    setError(null);
    const started = await startTraceScan({
      kind,
      value,
      ...range,
      targets: targets.map(({ kind, cluster, name }) => ({ kind, cluster, name })),
    });
    setBusy(false);
    if (started.ok) setScan(started.data);
    else setError(started.error.message);
  };

  const cancel = async () => {
    if (!scan) return;
    const result = await cancelTraceScan({ id: scan.id });
    if (!result.ok) setError(result.error.message);
  };

  const toggle = (key: string) =>
    setPicked((old) => {
      const next = new Set(old);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  if (!open) {
    return (
      <section className="trace-scan" data-testid="trace-scan">
        <button type="button" onClick={reveal}>
          Scan topics live (slower)
        </button>
      </section>
    );
  }
  return (
    <section className="trace-scan" data-testid="trace-scan" aria-labelledby="trace-scan-title">
      <h2 id="trace-scan-title">Live scan (slower)</h2>
      <p className="muted small">
        Reads the chosen topics from the brokers, outside any consumer group, and browses the chosen SQS
        dead-letter queues (each browse raises their receive count). At most{' '}
        {limits.maxMessages.toLocaleString('en')} messages, {limits.maxSeconds} s and {limits.maxSpanHours} h
        of range per scan; finds events carrying the id and the later events of their flow.
      </p>
      {scan === null ? (
        <form
          className="trace-scan-form"
          onSubmit={(event) => {
            event.preventDefault();
            void start();
          }}
        >
          {choices === null ? (
            <p className="muted">Reading the topic list…</p>
          ) : (
            <fieldset>
              <legend>Topics and queues (at most {limits.maxTargets})</legend>
              {choices.problems.map((p) => (
                <p key={p} className="banner tone-warn">
                  {p}
                </p>
              ))}
              {choices.choices.length === 0 ? <p className="muted">Nothing to scan.</p> : null}
              <ul className="trace-scan-targets">
                {choices.choices.map((c) => (
                  <li key={keyOf(c)}>
                    <label>
                      <input
                        type="checkbox"
                        checked={picked.has(keyOf(c))}
                        onChange={() => toggle(keyOf(c))}
                      />{' '}
                      <span className="trace-kind">{c.kind === 'kafka' ? 'Kafka' : 'SQS'}</span> {c.cluster} /{' '}
                      {c.name}
                      {c.dlq ? <span className="badge tone-crit">DLQ</span> : null}
                    </label>
                  </li>
                ))}
              </ul>
            </fieldset>
          )}
          <div className="trace-scan-range">
            <label>
              From (UTC){' '}
              <input type="datetime-local" step={1} value={from} onChange={(e) => setFrom(e.target.value)} />
            </label>
            <label>
              To (UTC, empty: now){' '}
              <input type="datetime-local" step={1} value={to} onChange={(e) => setTo(e.target.value)} />
            </label>
          </div>
          <button type="submit" className="primary" disabled={busy || choices === null}>
            Start scan
          </button>
        </form>
      ) : null}
      {error ? (
        <p className="banner tone-warn" role="alert" data-testid="trace-scan-error">
          {error}
        </p>
      ) : null}
      {scan ? <ScanStatus scan={scan} onCancel={cancel} /> : null}
      {scan && !running ? (
        <button type="button" onClick={() => setScan(null)}>
          New scan
        </button>
      ) : null}
      {scan?.result && scan.result.matched !== null ? (
        <>
          <p className="banner" data-testid="trace-scan-label">
            From a live scan, not the index: what the chosen topics and queues held in the range.
          </p>
          <ViewChain
            fromScan
            resultJson={JSON.stringify(scan.result)}
            expectations={expectations}
            now={scan.finishedAt ?? Date.now()}
          />
        </>
      ) : null}
    </section>
  );
}

const STOPS = {
  cancelled: 'Cancelled: the parts not yet read were left.',
  messages: 'Stopped at the message bound: the range was not read to its end.',
  time: 'Stopped at the time bound: the range was not read to its end.',
} as const;

function ScanStatus({ scan, onCancel }: { scan: ScanSnapshot; onCancel: () => void }) {
  const ended = scan.state !== 'running';
  return (
    <div
      className="trace-scan-status"
      data-testid="trace-scan-status"
      data-state={scan.state}
      aria-live="polite"
    >
      <p data-testid="trace-scan-progress">
        {ended ? 'Scan ended' : 'Scanning'}: {scan.messages.toLocaleString('en')} of at most{' '}
        {scan.maxMessages.toLocaleString('en')} messages read, {scan.matches} matching
        {ended ? '.' : '…'}{' '}
        {!ended ? (
          <button type="button" onClick={onCancel}>
            Cancel scan
          </button>
        ) : null}
      </p>
      {scan.stop ? (
        <p className="banner tone-warn" data-testid="trace-scan-stop">
          {STOPS[scan.stop]}
        </p>
      ) : null}
      {scan.error ? <p className="banner tone-warn">{scan.error}</p> : null}
      {ended && scan.result?.matched === null ? (
        <p className="banner" data-testid="trace-scan-empty">
          The scan found nothing for <code>{scan.query.value}</code> in the chosen topics and queues.
        </p>
      ) : null}
      <ListScanParts parts={scan.parts} />
    </div>
  );
}
