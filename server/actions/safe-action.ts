import 'server-only';
import { unstable_rethrow } from 'next/navigation';
import type { z } from 'zod';
import type { Role } from '@/lib/auth/roles';
import { requireRole, type SessionUser } from '@/server/auth/guard';
import { type PublicError, toPublicError } from '@/server/public-error';
import { auditGuardRefusal } from './audit-guard-refusal';

export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; error: PublicError; fieldErrors?: Record<string, string[]> };

/**
 * Builds a server action: the role check runs before the input is even looked at, then zod validates
 * it, then the use case runs. Failures come back as values, never as thrown errors with server detail.
 */
export function action<S extends z.ZodType, T>(
  role: Role,
  schema: S,
  run: (input: z.output<S>, user: SessionUser) => Promise<T>,
): (input: z.input<S>) => Promise<ActionResult<T>> {
  return async (input) => {
    try {
      const user = await requireRole(role);
      const parsed = schema.safeParse(input);
      if (!parsed.success) {
        const fieldErrors: Record<string, string[]> = {};
        for (const issue of parsed.error.issues) {
          const key = issue.path.join('.') || '_';
          fieldErrors[key] = [...(fieldErrors[key] ?? []), issue.message];
        }
        return {
          ok: false,
          error: { code: 'invalid_input', message: 'The request was not valid.' },
          fieldErrors,
        };
      }
      return { ok: true, data: await run(parsed.data, user) };
    } catch (error) {
      // Next's own control-flow errors (redirect, notFound) must pass through.
      unstable_rethrow(error);
      // Every refusal is audited: the guard's here, the use case's by the use case.
      await auditGuardRefusal(role, run.name, error);
      return { ok: false, error: toPublicError(error, 'server action') };
    }
  };
}
