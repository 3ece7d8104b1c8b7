import 'server-only';
import { type Role, roleAtLeast } from '@/lib/auth/roles';
import { appendAudit } from '@/server/audit/append-audit';
import type { AuditContext } from '@/server/audit/audit-context';
import { currentUser, type SessionUser } from '@/server/auth/guard';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import { getStore } from '@/server/store/get-store';

export interface RefusalAuditDeps {
  user: () => Promise<SessionUser | null>;
  store: () => Promise<Store>;
  audit?: AuditContext;
}

const APP: RefusalAuditDeps = { user: currentUser, store: getStore };

/**
 * Writes the audit entry of a server action the guard refused to a signed-in user below its role. A
 * refusal by the use case itself (the user had the role) is the use case's to audit, and is skipped here;
 * so is an anonymous caller, who names no one. Never throws: the refusal is answered either way.
 */
export async function auditGuardRefusal(
  needed: Role,
  actionName: string,
  error: unknown,
  deps: RefusalAuditDeps = APP,
): Promise<boolean> {
  if (!(error instanceof ServiceError) || error.code !== 'forbidden') return false;
  try {
    const user = await deps.user();
    if (!user || roleAtLeast(user.role, needed)) return false;
    await appendAudit(
      await deps.store(),
      {
        actor: user.email,
        role: user.role,
        action: 'action.refused',
        target: actionName || 'server action',
        details: { needed, message: error.message },
        outcome: 'refused',
      },
      deps.audit,
    );
    return true;
  } catch (failure) {
    console.error('[tidewatch] could not audit a refused action:', failure);
    return false;
  }
}
