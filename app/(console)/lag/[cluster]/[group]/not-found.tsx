import Link from 'next/link';

/** A group the latest snapshot does not hold: deleted, renamed, or on a cluster not read yet. */
export default function GroupNotFound() {
  return (
    <div className="panel">
      <h1>Consumer group not found</h1>
      <p>
        The latest snapshot holds no such group on this cluster. It may have been deleted (Kafka drops a group
        once its offsets expire), or its cluster has not been read since it appeared.
      </p>
      <Link href="/lag">All consumer groups</Link>
    </div>
  );
}
