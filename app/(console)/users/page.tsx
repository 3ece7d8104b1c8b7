import type { Metadata } from 'next';
import { RegionScroll } from '@/components/ui/region-scroll';
import { pageRole } from '@/lib/nav';
import { listUserSessions } from '@/server/auth/auth-sessions';
import { requirePageRole } from '@/server/auth/guard';
import { getStore } from '@/server/store/get-store';
import { ButtonSignOutEverywhere } from './_components/button-sign-out-everywhere';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage() {
  await requirePageRole(pageRole('/users'), '/users');
  const users = await listUserSessions(await getStore());
  return (
    <>
      <h1>Users</h1>
      <p className="muted">Who is signed in, with each live session. Signing a user out ends all of them.</p>
      {users.length === 0 ? (
        <p className="empty">Nobody is signed in.</p>
      ) : (
        <RegionScroll className="table-box" label="Users">
          <table data-testid="users-table">
            <caption className="visually-hidden">Users and their roles</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Sessions</th>
                <th scope="col">Signed in (UTC)</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.email} data-testid="user-row">
                  <td>{u.email}</td>
                  <td>{u.sessions.length}</td>
                  <td className="wrap">
                    {u.sessions
                      .map((s) => `${s.createdAt.replace('T', ' ').slice(0, 19)} (${s.provider})`)
                      .join(', ')}
                  </td>
                  <td>
                    <ButtonSignOutEverywhere email={u.email} sessions={u.sessions.length} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </RegionScroll>
      )}
    </>
  );
}
