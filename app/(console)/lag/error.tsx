'use client';

/** A consumer-lag page that failed to render: say so and offer a retry, never a blank screen. */
export default function LagError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <div className="panel" role="alert">
      <h1>Consumer lag could not be shown</h1>
      <p>
        The server failed while reading the latest snapshot
        {error.digest ? ` (reference ${error.digest} in the server log)` : ''}.
      </p>
      {process.env.NODE_ENV === 'development' && <pre>{error.stack}</pre>}
      <button type="button" className="primary" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
