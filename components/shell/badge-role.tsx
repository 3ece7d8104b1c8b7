import type { Role } from '@/lib/auth/roles';

export function BadgeRole({ role }: { role: Role }) {
  return (
    <span className={`badge badge-${role}`} data-testid="role-badge">
      {role}
    </span>
  );
}
