import { RegionScroll } from '@/components/ui/region-scroll';
import type { AuditEntry } from '@/server/audit/audit-entry';

export function TableAudit({ entries }: { entries: AuditEntry[] }) {
  if (entries.length === 0) {
    return <p className="empty">No audit entries match. Sign-ins, exports and replays are recorded here.</p>;
  }
  return (
    <RegionScroll className="table-box" label="Audit log entries">
      <table data-testid="audit-table">
        <caption className="visually-hidden">Audit log entries</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Time (UTC)</th>
            <th scope="col">Actor</th>
            <th scope="col">Role</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
            <th scope="col">Details</th>
            <th
              scope="col"
              title="The key version that signed the entry; 0 = unkeyed, from before the chain was keyed"
            >
              Key
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.seq}>
              <td>{e.seq}</td>
              <td>{e.at.replace('T', ' ').replace('Z', '')}</td>
              <td>{e.actor}</td>
              <td>{e.role}</td>
              <td>{e.action}</td>
              <td className="wrap">{e.target}</td>
              <td className={e.outcome === 'ok' ? 'ok-text' : 'error-text'}>{e.outcome}</td>
              <td className="wrap">
                <code>{JSON.stringify(e.details)}</code>
              </td>
              <td>{e.keyVersion === 0 ? 'unkeyed' : `v${e.keyVersion}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </RegionScroll>
  );
}
