import type { WebhookConfig } from '@/lib/config/schema';
import { LEVELS, type Level } from '@/lib/thresholds/metrics';

const rank = (level: Level) => LEVELS.indexOf(level);

/**
 * The webhooks a change goes to: those whose `minLevel` the worse of its two ends reaches. So a
 * recovery (critical → ok, critical → warn) reaches exactly the webhooks the level it leaves was sent to,
 * as long as the webhook config did not change in between.
 */
export function webhooksFor(
  change: { from: Level; to: Level },
  webhooks: readonly WebhookConfig[],
): WebhookConfig[] {
  const worst = Math.max(rank(change.from), rank(change.to));
  return webhooks.filter((hook) => worst >= rank(hook.minLevel));
}
