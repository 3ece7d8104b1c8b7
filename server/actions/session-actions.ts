'use server';

import 'server-only';
import { z } from 'zod';
import { appendAudit } from '@/server/audit/append-audit';
import { revokeUserSessions } from '@/server/auth/auth-sessions';
import { getStore } from '@/server/store/get-store';
import { action } from './safe-action';

const userInput = z.object({ email: z.string().trim().min(1).max(320) }).strict();

/** Ends every signed-in session of one user, on every instance within seconds. */
export const signOutEverywhere = action('admin', userInput, async ({ email }, user) => {
  const store = await getStore();
  const revoked = await revokeUserSessions(store, email);
  await appendAudit(store, {
    actor: user.email,
    role: user.role,
    action: 'auth.sign_out_everywhere',
    target: email.toLowerCase(),
    details: { sessions: revoked },
    outcome: 'ok',
  });
  return { revoked };
});
