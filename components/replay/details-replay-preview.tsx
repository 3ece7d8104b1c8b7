import type { ReplayPreview } from '@/server/replay/preview-replay';

const ADMIN_REASON: Record<string, string> = {
  bulk_cap: 'more messages than the bulk cap',
  other_target: 'a target other than the original',
  already_replayed: 'some were replayed before',
};

/** What a confirmation would send, where, to whom; every value a text node (the sample is masked already). */
export function DetailsReplayPreview({ preview }: { preview: ReplayPreview }) {
  return (
    <div data-testid="replay-preview">
      <dl className="replay-facts">
        <dt>Target</dt>
        <dd data-testid="replay-target">{preview.target}</dd>
        {preview.originalTarget !== preview.target ? (
          <>
            <dt>Original target</dt>
            <dd>{preview.originalTarget ?? 'none recorded, or the messages differ'}</dd>
          </>
        ) : null}
        <dt>Messages</dt>
        <dd data-testid="replay-count">{preview.count}</dd>
        <dt>Rate</dt>
        <dd>
          {preview.ratePerSecond === 'unlimited'
            ? 'no limit: each batch as soon as the one before is recorded'
            : `${preview.ratePerSecond} messages / s`}
        </dd>
        <dt>Canary</dt>
        <dd>{preview.canary ? 'one message first, then the rest if it does not fail again' : 'off'}</dd>
        {preview.requirements.adminBecause.length > 0 ? (
          <>
            <dt>Admin only</dt>
            <dd>{preview.requirements.adminBecause.map((c) => ADMIN_REASON[c] ?? c).join('; ')}</dd>
          </>
        ) : null}
      </dl>
      {preview.warnings.map((w) => (
        <p key={w} className="banner tone-warn" role="alert">
          {w}
        </p>
      ))}
      <Prior prior={preview.prior} />
      <Readers groups={preview.consumerGroups} />
      <section className="replay-sample" aria-label="Sample">
        <h3>Sample (first {preview.sample.length})</h3>
        {preview.sample.map((m) => (
          <details key={m.id} data-testid="replay-sample-message">
            <summary>
              {m.id} · key {m.key ?? '(none)'}
            </summary>
            <pre>{m.bodyKind === 'hidden' ? '(body hidden)' : (m.body ?? '(no body: a tombstone)')}</pre>
            {m.masking.rules.length > 0 ? (
              <p className="small">Masked for your role by {m.masking.rules.join(', ')}.</p>
            ) : null}
            <ul className="small">
              {m.headers.map((h, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a header key may repeat
                <li key={`${h.key}-${i}`}>
                  {h.key}: {h.value ?? '(null)'}
                </li>
              ))}
            </ul>
          </details>
        ))}
      </section>
    </div>
  );
}

function Prior({ prior }: { prior: ReplayPreview['prior'] }) {
  if (prior.length === 0) return <p className="small">None of these messages was replayed before.</p>;
  return (
    <section aria-label="Replayed before">
      <h3>Replayed before</h3>
      <ul data-testid="replay-prior">
        {prior.slice(0, 20).map((p) => (
          <li key={`${p.replayId}-${p.messageId}`}>
            {p.messageId} at {p.at} by {p.by} (replay {p.replayId})
          </li>
        ))}
      </ul>
      {prior.length > 20 ? <p className="small">and {prior.length - 20} more</p> : null}
    </section>
  );
}

function Readers({ groups }: { groups: ReplayPreview['consumerGroups'] }) {
  if (groups.length === 0) {
    return <p className="small">No consumer group is known to read the target.</p>;
  }
  return (
    <section aria-label="Consumer groups reading the target">
      <h3>Consumer groups reading the target</h3>
      <ul data-testid="replay-readers">
        {groups.map((g) => (
          <li key={g.groupId}>
            {g.groupId} · {g.state ?? 'state unknown'} · {g.members} members · lag {g.offsetLag}
          </li>
        ))}
      </ul>
    </section>
  );
}
