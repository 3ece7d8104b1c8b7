/** A plain GET form: filters live in the URL, so a filtered view can be shared and reloaded. */
export function FormAuditFilter({ values }: { values: Record<string, string> }) {
  return (
    <form className="filters" method="get" action="/audit">
      <label>
        Actor
        <input name="actor" defaultValue={values.actor} placeholder="alice@example.com" />
      </label>
      <label>
        Action
        <input name="action" defaultValue={values.action} placeholder="auth.sign_in" />
      </label>
      <label>
        From (UTC)
        <input name="from" type="datetime-local" defaultValue={values.from} />
      </label>
      <label>
        To (UTC)
        <input name="to" type="datetime-local" defaultValue={values.to} />
      </label>
      <button type="submit" className="primary">
        Filter
      </button>
      <a className="button" href="/audit">
        Clear
      </a>
    </form>
  );
}
