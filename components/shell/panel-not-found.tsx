import Link from 'next/link';

/** Nothing at this address within a section: say so, keep the navigation, offer the section itself. */
export function PanelNotFound({
  title,
  text,
  href,
  label,
}: {
  title: string;
  text: string;
  href: string;
  label: string;
}) {
  return (
    <div className="panel" data-testid="section-not-found">
      <h1>{title}</h1>
      <p>{text}</p>
      <Link href={href}>{label}</Link>
    </div>
  );
}
