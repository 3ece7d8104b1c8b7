import { renderMetrics } from '@/lib/metrics/render-metrics';
import { withBearerToken } from '@/server/auth/bearer-token';
import { getConfig, readSecret } from '@/server/config';
import { readLatestView } from '@/server/fleet/latest-view';
import { getStore } from '@/server/store/get-store';

export const dynamic = 'force-dynamic';

/** Read at each scrape, so a token set or rotated in the environment needs no config change. */
const metricsToken = () => readSecret(getConfig().config.metrics.tokenEnv);

/** The fleet's figures for Prometheus; token-guarded (metrics.tokenEnv), never by session. */
export const GET = withBearerToken(metricsToken, async () => {
  const view = await readLatestView(await getStore());
  return new Response(renderMetrics(view, Date.now()), {
    headers: {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
      'cache-control': 'no-store',
    },
  });
});

/** Next would answer OPTIONS itself (204 with an Allow list); this endpoint refuses all but GET and HEAD. */
export const OPTIONS = withBearerToken(
  metricsToken,
  async () => new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } }),
);
