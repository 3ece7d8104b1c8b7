import { RegionScroll } from '@/components/ui/region-scroll';
import type { MemberView } from '@/lib/fleet/fleet-view';
import { formatPartitionList } from '@/lib/fleet/format';

/** Who is in the group and which partitions each one holds. */
export function TableMembers({ members }: { members: MemberView[] }) {
  if (members.length === 0) {
    return <p className="empty">No members: nothing is consuming for this group right now.</p>;
  }
  return (
    <RegionScroll className="table-scroll" label="Members of the group">
      <table data-testid="members">
        <caption className="visually-hidden">Members of the group</caption>
        <thead>
          <tr>
            <th scope="col">Client</th>
            <th scope="col">Host</th>
            <th scope="col">Member id</th>
            <th scope="col">Assignments</th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.memberId}>
              <td>{m.clientId}</td>
              <td>{m.host}</td>
              <td className="small muted">{m.memberId}</td>
              <td className="wrap">
                {m.assignments.length === 0
                  ? 'none'
                  : m.assignments.map((a) => `${a.topic}: ${formatPartitionList(a.partitions)}`).join('; ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </RegionScroll>
  );
}
