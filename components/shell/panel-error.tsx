'use client';

/**
 * A section that failed to render, inside the console so the navigation stays. In production the
 * server sends only a digest; the same id is on the logged error, so a report can be traced.
 */
export function PanelError({
  title,
  error,
  reset,
}: {
  title: string;
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <div className="panel" role="alert" data-testid="section-error">
      <h1>{title}</h1>
      <p>
        Something went wrong{error.digest ? ` (error id ${error.digest})` : ''}. The details are in the server
        log.
      </p>
      {process.env.NODE_ENV === 'development' && <pre>{error.stack}</pre>}
      <button type="button" className="primary" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
