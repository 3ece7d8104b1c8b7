'use client';

import Link from 'next/link';
import { useMemo, useState } from 'react';
import { foldedText, foldStackTrace } from '@/lib/dead-letters/stack-trace';
import { bodyText, type DlqMessageRow } from '@/lib/dlq/message-row';
import { BodyDecoded } from './body-decoded';

function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => setDone(true));
      }}
    >
      {done ? 'Copied' : `Copy ${label}`}
    </button>
  );
}

function StackTrace({ trace, truncated }: { trace: string; truncated: boolean }) {
  const [open, setOpen] = useState(false);
  const folded = useMemo(() => foldedText(foldStackTrace(trace)), [trace]);
  return (
    <section aria-label="Stack trace">
      <h4>
        Stack trace{' '}
        <button type="button" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? 'Fold framework frames' : 'Expand all frames'}
        </button>{' '}
        <CopyButton text={trace} label="stack trace" />
      </h4>
      <pre data-testid="stack-trace">{open ? trace : folded}</pre>
      {truncated ? <p className="small">The trace was cut at 256 KB.</p> : null}
    </section>
  );
}

function Original({ row }: { row: DlqMessageRow }) {
  const o = row.failure.original;
  if (!o) return <dd>not recorded</dd>;
  if (o.kind === 'kafka') {
    return (
      <dd data-testid="original">
        topic {o.topic ?? '?'} · partition {o.partition ?? '?'} · offset {o.offset ?? '?'}
        {o.consumerGroup ? ` · group ${o.consumerGroup}` : ''}
      </dd>
    );
  }
  if (o.kind === 'sqs') return <dd data-testid="original">queue {o.queueName ?? o.queueArn}</dd>;
  return <dd data-testid="original">{o.queueName ?? o.address}</dd>;
}

function Body({ row }: { row: DlqMessageRow }) {
  const b = row.body;
  const kind = b.kind === 'confluent' ? `Confluent schema ${b.schemaId}, ${b.inner.kind}` : b.kind;
  if (b.kind === 'hidden')
    return (
      <p>
        Body hidden ({b.size} bytes): {b.reason}
      </p>
    );
  const text = bodyText(b);
  const inner = b.kind === 'confluent' ? b.inner : b;
  return (
    <section aria-label="Body">
      <h4>
        Body · {kind} · {b.size} bytes <CopyButton text={text} label="body" />
      </h4>
      <BodyDecoded body={b} />
      {inner.kind === 'text' && inner.invalidBytes > 0 ? (
        <p className="small">{inner.invalidBytes} bytes are not valid UTF-8, shown as �.</p>
      ) : null}
      {'truncated' in inner && inner.truncated ? <p className="small">Shown in part.</p> : null}
      <pre data-testid="message-body">{text}</pre>
    </section>
  );
}

/** Everything about one dead letter, as text nodes only: the row is masked for this user already. */
export function PanelDlqMessage({
  row,
  onClose,
  onReplay,
}: {
  row: DlqMessageRow;
  onClose: () => void;
  /** Absent for a role that cannot replay. */
  onReplay?: () => void;
}) {
  const f = row.failure;
  const loc = row.location;
  return (
    <section className="dlq-detail" aria-label="Message detail">
      <div className="page-head">
        <h3>Message {row.id}</h3>
        {onReplay ? (
          <button type="button" onClick={onReplay}>
            Replay this message
          </button>
        ) : null}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <dl>
        <dt>Where</dt>
        <dd>
          {loc.kind === 'kafka'
            ? `${loc.where} · partition ${loc.partition} · offset ${loc.offset}`
            : `${loc.where} · message ${loc.messageId}`}
        </dd>
        <dt>Time</dt>
        <dd>{new Date(row.timestamp).toISOString()}</dd>
        <dt>Key</dt>
        <dd>{row.key ?? '(none)'}</dd>
        <dt>Size</dt>
        <dd>{row.size} bytes</dd>
        {row.receiveCount !== null ? (
          <>
            <dt>Receive count</dt>
            <dd data-testid="receive-count">{row.receiveCount}</dd>
          </>
        ) : null}
        <dt>Exception</dt>
        <dd data-testid="exception-class">{f.exceptionClass ?? 'not recorded'}</dd>
        {f.groupClass && f.groupClass !== f.exceptionClass ? (
          <>
            <dt>Cause</dt>
            <dd>{f.groupClass}</dd>
          </>
        ) : null}
        <dt>Message</dt>
        <dd data-testid="exception-message">{f.message ?? '—'}</dd>
        <dt>Original</dt>
        <Original row={row} />
        <dt>Event type</dt>
        <dd>{row.eventType ?? '—'}</dd>
        <dt>Correlation id</dt>
        <dd>
          {row.correlationId ? (
            <Link href={`/trace/${encodeURIComponent(row.correlationId)}`}>{row.correlationId}</Link>
          ) : (
            '—'
          )}
        </dd>
        {f.details.map((d) => (
          <FactLine key={d.label} label={d.label} value={d.value} />
        ))}
      </dl>
      {f.warnings.length > 0 ? (
        <ul className="small">
          {f.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
      {row.masking.rules.length > 0 ? (
        <p className="small">
          Masked for your role by {row.masking.rules.join(', ')} ({row.masking.fields} fields,{' '}
          {row.masking.headers} headers).
        </p>
      ) : null}
      {f.stackTrace ? <StackTrace trace={f.stackTrace} truncated={f.stackTraceTruncated} /> : null}
      <Body row={row} />
      <h4>{loc.kind === 'kafka' ? 'Headers' : 'Message attributes'}</h4>
      <table>
        <caption className="visually-hidden">Headers of the message</caption>
        <tbody>
          {row.headers.map((h, i) => (
            // Kafka allows a key more than once: the index keeps rows apart.
            // biome-ignore lint/suspicious/noArrayIndexKey: headers have no id of their own
            <tr key={`${h.key}-${i}`}>
              <th scope="row">{h.key}</th>
              <td>{h.dataType ?? ''}</td>
              <td>{h.value ?? '(null)'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {row.systemAttributes ? (
        <>
          <h4>System attributes</h4>
          <dl>
            {row.systemAttributes.map(([k, v]) => (
              <FactLine key={k} label={k} value={v} />
            ))}
          </dl>
        </>
      ) : null}
    </section>
  );
}

function FactLine({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
}
