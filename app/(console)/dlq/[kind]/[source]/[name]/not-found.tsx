import Link from 'next/link';

/** A DLQ the latest snapshot does not hold: deleted, renamed, no longer matched, or not read yet. */
export default function DlqNotFound() {
  return (
    <div className="panel">
      <h1>DLQ not found</h1>
      <p>
        The latest snapshot holds no such DLQ. The topic or queue may have been deleted, it may no longer
        match the configured DLQ patterns or redrive policies, or its broker has not been read since it
        appeared.
      </p>
      <Link href="/dlq">All DLQs</Link>
    </div>
  );
}
