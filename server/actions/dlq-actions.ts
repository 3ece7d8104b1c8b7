'use server';

import 'server-only';
import { z } from 'zod';
import { BROWSE_LIMIT_MAX } from '@/server/brokers/dead-letter-source';
import { getConfig } from '@/server/config';
import { browseDlq } from '@/server/dlq/browse-dlq';
import { action } from './safe-action';

const name = z.string().min(1).max(512);
const MAX_SEEN = 20_000;

const cursor = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('kafka'),
    dlq: name,
    partitions: z
      .array(z.strictObject({ partition: z.number().int().min(0), next: z.string().regex(/^\d{1,19}$/) }))
      .max(10_000),
  }),
  z.strictObject({
    kind: z.literal('sqs'),
    dlq: name,
    seen: z.array(z.string().min(1).max(256)).max(MAX_SEEN),
  }),
]);

const browseInput = z.strictObject({
  kind: z.enum(['kafka', 'sqs']),
  source: name,
  name,
  cursor: cursor.optional(),
  limit: z.number().int().min(1).max(BROWSE_LIMIT_MAX).optional(),
  acknowledgeRedriveRisk: z.boolean().optional(),
});

/** The next page of a DLQ (or the first, after the redrive risk was acknowledged), masked for the caller. */
export const browseDlqPage = action('viewer', browseInput, async (input, user) =>
  browseDlq(getConfig().config, user.role, input),
);
