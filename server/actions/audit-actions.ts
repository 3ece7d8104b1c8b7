'use server';

import 'server-only';
import { z } from 'zod';
import { appendAudit } from '@/server/audit/append-audit';
import { describeVerifyResult, verifyAudit } from '@/server/audit/verify-audit';
import { getStore } from '@/server/store/get-store';
import { action } from './safe-action';

/** Walks the whole audit chain and its checkpoints and records that it was checked, with the outcome. */
export const verifyAuditChain = action('admin', z.object({}).strict(), async (_input, user) => {
  const store = await getStore();
  const result = await verifyAudit(store);
  await appendAudit(store, {
    actor: user.email,
    role: user.role,
    action: 'audit.verify',
    target: 'audit_log',
    details: { entries: result.count, keyVersions: result.keyVersions, problem: result.problem },
    outcome: result.ok ? 'ok' : 'failed',
  });
  return { ...result, report: describeVerifyResult(result) };
});
