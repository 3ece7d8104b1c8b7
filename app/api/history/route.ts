import { historyQuerySchema } from '@/lib/fleet/history-query';
import { ServiceError } from '@/server/errors';
import { fleetJson, readHistory } from '@/server/fleet/fleet-queries';
import { withRole } from '@/server/http';
import { getStore } from '@/server/store/get-store';

export const dynamic = 'force-dynamic';

/** One history series over 15m, 1h, 24h or 7d: `?series=<subject id>&metric=lag&range=1h`. */
export const GET = withRole('viewer', async (request) => {
  const query = historyQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) {
    throw new ServiceError('invalid_input', query.error.issues.map((i) => i.message).join('; '));
  }
  return fleetJson(await readHistory(await getStore(), query.data));
});
