'use server';

import 'server-only';
import { getConfig } from '@/server/config';
import { getStore } from '@/server/store/get-store';
import { eventBodyRequestSchema, readEventBody } from '@/server/trace/read-event-body';
import { action } from './safe-action';

/** The body of one event of a chain, read back from its Kafka partition when the reader opens it. */
export const readTraceEventBody = action('viewer', eventBodyRequestSchema, async (input, user) =>
  readEventBody(await getStore(), getConfig().config, input, user.role),
);
