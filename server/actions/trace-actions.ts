'use server';

import 'server-only';
import { z } from 'zod';
import { getConfig } from '@/server/config';
import { getStore } from '@/server/store/get-store';
import { eventBodyRequestSchema, readEventBody } from '@/server/trace/read-event-body';
import { cancelScan, startScan } from '@/server/trace-scan/scan-jobs';
import { scanChoices } from '@/server/trace-scan/scan-targets';
import { scanIdSchema, scanRequestSchema } from '@/server/trace-scan/scan-types';
import { action } from './safe-action';

/** The body of one event of a chain, read back from its Kafka partition when the reader opens it. */
export const readTraceEventBody = action('viewer', eventBodyRequestSchema, async (input, user) =>
  readEventBody(await getStore(), getConfig().config, input, user.role),
);

/** Starts a bounded live scan of chosen topics and SQS DLQs for an id the index does not hold. */
export const startTraceScan = action('viewer', scanRequestSchema, async (input, user) =>
  startScan(getConfig().config, await getStore(), user.email, input),
);

/** Stops one of the user's own scans between fetches; what it found so far is kept. */
export const cancelTraceScan = action('viewer', scanIdSchema, async (input, user) =>
  cancelScan(input.id, user.email),
);

/** What a live scan may read: every cluster's topics (one Metadata request each) and the known SQS DLQs. */
export const listTraceScanTargets = action('viewer', z.strictObject({}), async () =>
  scanChoices(getConfig().config, await getStore()),
);
