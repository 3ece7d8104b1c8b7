import Link from 'next/link';

/** A link the page cannot read: what is wrong with it, and the way to the section's plain view. */
export function PanelBadLink({
  problems,
  href,
  label,
  fallback,
}: {
  problems: string[];
  href: string;
  label: string;
  /** What the page shows instead, when it shows anything. */
  fallback?: string;
}) {
  return (
    <div className="panel" role="alert" data-testid="bad-link">
      <h2>Bad link</h2>
      <p>This address has values Tidewatch cannot read{fallback ? `; ${fallback}` : ''}:</p>
      <ul>
        {problems.map((problem) => (
          <li key={problem}>{problem}</li>
        ))}
      </ul>
      <Link href={href}>{label}</Link>
    </div>
  );
}
