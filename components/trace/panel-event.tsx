'use client';

import { useEffect, useState } from 'react';
import type { TraceEvent, TraceLocation } from '@/lib/trace/build-chain';
import { eventTime } from '@/lib/trace/chain-layout';
import { CORRELATION_SOURCE_LABEL } from '@/lib/trace/correlation-source';
import type { ExpectationMark } from '@/lib/trace/expectations';
import { formatInstant } from '@/lib/trace/format-trace';
import { readTraceEventBody } from '@/server/actions/trace-actions';
import { FailureBadges } from './badges-trace';
import { ViewBody } from './view-body';

type BodyState =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ok'; data: Awaited<ReturnType<typeof readTraceEventBody>> & { ok: true } }
  | { state: 'none'; message: string };

function where(l: TraceLocation): string {
  return l.kind === 'kafka'
    ? `Kafka ${l.cluster} / ${l.name} / partition ${l.partition} / offset ${l.offset}`
    : `SQS ${l.cluster} / ${l.name} / message ${l.messageId}`;
}

/** One event: envelope fields, where it was read, and its body read back from the broker as text. */
export function PanelEvent({
  event,
  marks,
  onClose,
  fromScan = false,
}: {
  event: TraceEvent;
  marks: readonly ExpectationMark[];
  onClose: () => void;
  /** Found by a live scan: bodies are read back only at locations the index holds. */
  fromScan?: boolean;
}) {
  const found =
    event.locations.find((l) => l.kind === 'kafka' && !l.dlq) ??
    event.locations.find((l) => l.kind === 'kafka');
  const kafka = fromScan ? undefined : found;
  const [body, setBody] = useState<BodyState>(
    kafka
      ? { state: 'loading' }
      : {
          state: 'none',
          message: fromScan
            ? 'Found by a live scan: its body is not kept; open its topic or DLQ to read it.'
            : 'SQS cannot read one message back by id; open its DLQ to browse the body.',
        },
  );
  useEffect(() => {
    if (!kafka || kafka.offset === null) return;
    let live = true;
    readTraceEventBody({
      kind: 'kafka',
      cluster: kafka.cluster,
      topic: kafka.name,
      partition: kafka.partition,
      offset: kafka.offset,
    }).then(
      (result) => {
        if (!live) return;
        setBody(
          result.ok ? { state: 'ok', data: result } : { state: 'error', message: result.error.message },
        );
      },
      () => live && setBody({ state: 'error', message: 'The body could not be read.' }),
    );
    return () => {
      live = false;
    };
  }, [kafka]);
  const fields: [string, string | null][] = [
    ['Event id', event.eventId],
    ['Type', event.eventType],
    ['Correlation id', event.correlationId],
    // Shown only when the id was not stated but read from a trace header.
    ...(event.correlationFrom
      ? [['Correlation source', CORRELATION_SOURCE_LABEL[event.correlationFrom]] as [string, string]]
      : []),
    ['Causation id', event.causationId],
    ['Occurred', event.occurredAt === null ? null : formatInstant(event.occurredAt)],
    ['Schema version', event.schemaVersion],
    ['Producer', event.producer],
    ['Size', `${event.size} bytes`],
  ];
  return (
    <aside className="trace-detail" aria-label="Event details" data-testid="trace-detail">
      <div className="trace-detail-head">
        <h2>{event.eventType ?? '(no type)'}</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <p>
        <FailureBadges event={event} marks={marks} />
      </p>
      <dl className="trace-fields">
        {fields.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value ?? <span className="muted">none</span>}</dd>
          </div>
        ))}
        {event.businessKeys.map((k) => (
          <div key={`k-${k.name}`}>
            <dt>{k.name}</dt>
            <dd>{k.value}</dd>
          </div>
        ))}
        <div>
          <dt>Time on the axis</dt>
          <dd>{formatInstant(eventTime(event))}</dd>
        </div>
      </dl>
      <h3>Where</h3>
      <ul className="trace-where" data-testid="trace-where">
        {[...event.locations]
          .sort((a, b) => Number(a.dlq) - Number(b.dlq))
          .map((l) => (
            <li key={where(l)}>
              {where(l)}
              {l.dlq ? <span className="badge tone-crit">DLQ</span> : null}
            </li>
          ))}
      </ul>
      {event.summary ? (
        <>
          <h3>Summary</h3>
          <p className="trace-text">{event.summary}</p>
        </>
      ) : null}
      <h3>Body</h3>
      {body.state === 'loading' ? <p className="muted">Reading the record…</p> : null}
      {body.state === 'none' || body.state === 'error' ? (
        <p className={body.state === 'error' ? 'tone-warn' : 'muted'} data-testid="trace-body-note">
          {body.message}
        </p>
      ) : null}
      {body.state === 'ok' ? <ViewBody data={body.data.data} /> : null}
    </aside>
  );
}
