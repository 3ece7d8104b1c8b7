import Link from 'next/link';

export default function Forbidden() {
  return (
    // A section, not a main: the console shell around it already holds the one main landmark.
    <section className="login panel" aria-labelledby="forbidden-title">
      {/* React hoists this into the head: the page refused must not lend its own title. */}
      <title>Not allowed · Tidewatch</title>
      <h1 id="forbidden-title">Not allowed</h1>
      <p>Your role does not give access to this page. Ask an admin if you need it.</p>
      <Link href="/">Back to the overview</Link>
    </section>
  );
}
