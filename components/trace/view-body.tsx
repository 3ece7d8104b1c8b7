import type { MaskedBody } from '@/lib/masking/mask-fields';
import { formatInstant } from '@/lib/trace/format-trace';
import type { EventBody } from '@/server/trace/read-event-body';

/** Text shown as text: React escapes it, so HTML in a body is never markup. */
function BodyText({ body }: { body: MaskedBody }) {
  switch (body.kind) {
    case 'empty':
      return <p className="muted">Empty body (a tombstone or zero bytes).</p>;
    case 'hidden':
      return <p className="muted">{body.reason}</p>;
    case 'json':
      return (
        <pre className="trace-body" data-testid="trace-body">
          {body.pretty}
          {body.truncated ? '\n… (cut)' : ''}
        </pre>
      );
    case 'text':
      return (
        <>
          {body.invalidBytes > 0 ? (
            <p className="muted small">{body.invalidBytes} bytes are not valid UTF-8 (shown as �).</p>
          ) : null}
          <pre className="trace-body" data-testid="trace-body">
            {body.text}
            {body.truncated ? '\n… (cut)' : ''}
          </pre>
        </>
      );
    case 'binary':
      return (
        <>
          <p className="muted small">Binary ({body.size} bytes), as hex:</p>
          <pre className="trace-body" data-testid="trace-body">
            {body.hex}
            {body.truncated ? '\n… (cut)' : ''}
          </pre>
        </>
      );
    case 'confluent':
      return (
        <>
          <p className="muted small">Confluent wire format, schema id {body.schemaId}.</p>
          <BodyText body={body.inner} />
        </>
      );
  }
}

export function ViewBody({ data }: { data: EventBody }) {
  return (
    <div data-testid="trace-body-view">
      <p className="muted small">
        {data.body.size} bytes, written {formatInstant(data.timestamp)}
        {data.key === null ? '' : `, key ${data.key}`}
        {data.masking.rules.length > 0 ? `; masked by ${data.masking.rules.join(', ')}` : ''}
      </p>
      <BodyText body={data.body} />
      {data.headers.length > 0 ? (
        <>
          <h3>Headers</h3>
          <dl className="trace-fields">
            {data.headers.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: Kafka allows a header key more than once.
              <div key={`${h.key}-${i}`}>
                <dt>{h.key}</dt>
                <dd>{h.value ?? <span className="muted">null</span>}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
    </div>
  );
}
