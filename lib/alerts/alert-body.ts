import type { Level } from '@/lib/thresholds/metrics';
import type { AlertTransition, SubjectKind } from './alert-subject';

export type WebhookFormat = 'slack' | 'generic';

/**
 * The `generic` body: one JSON object per change, the same for every receiver. Receivers key on `id`
 * (also in the Idempotency-Key header, with the webhook's name) and order by `at` per `subject`.
 */
export interface GenericAlertBody {
  /** Always `tidewatch.alert.transition`. */
  type: typeof GENERIC_EVENT_TYPE;
  /** UUID of the change. */
  id: string;
  /** Stable subject id: `kafka/prod/group/orders-eu`, `sqs/prod-us/dlq/orders-dlq`, `kafka/prod/source`. */
  subject: string;
  kind: SubjectKind;
  /** For humans: `group "orders-eu" on Kafka cluster "prod"`. */
  label: string;
  from: Level;
  to: Level;
  /** ISO time the subject entered `to`. */
  at: string;
  reason: string;
  /** Path of the subject's page. */
  path: string;
  /** `alerts.publicUrl` joined with `path`; null when no public URL is configured. */
  url: string | null;
}

export const GENERIC_EVENT_TYPE = 'tidewatch.alert.transition';

export function alertBody(format: WebhookFormat, t: AlertTransition, publicUrl?: string): object {
  return format === 'slack' ? slackBody(t, publicUrl) : genericBody(t, publicUrl);
}

export function genericBody(t: AlertTransition, publicUrl?: string): GenericAlertBody {
  const { id, subject, kind, label, from, to, at, reason, link } = t;
  const url = alertUrl(link, publicUrl);
  return { type: GENERIC_EVENT_TYPE, id, subject, kind, label, from, to, at, reason, path: link, url };
}

/** Keeps any path under the public URL (`https://ops.example.com/tidewatch`). */
export function alertUrl(link: string, publicUrl?: string): string | null {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}${link}` : null;
}

const LEVEL_WORDS: Record<Level, string> = { ok: 'OK', warn: 'WARN', critical: 'CRITICAL' };
const LEVEL_EMOJI: Record<Level, string> = {
  ok: ':large_green_circle:',
  warn: ':large_yellow_circle:',
  critical: ':red_circle:',
};

// Slack's block limits: longer text makes Slack refuse the whole message.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;

/** A Slack incoming-webhook message: `text` for notifications, `blocks` for the channel. */
export function slackBody(t: AlertTransition, publicUrl?: string) {
  const headline = t.to === 'ok' ? `Recovered: ${t.label}` : `${LEVEL_WORDS[t.to]}: ${t.label}`;
  const title = `${LEVEL_EMOJI[t.to]} ${headline} (was ${t.from})`;
  const url = alertUrl(t.link, publicUrl);
  return {
    text: escapeMrkdwn(title),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(title, HEADER_MAX), emoji: true } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: clip(escapeMrkdwn(t.reason), SECTION_MAX) },
        fields: [
          { type: 'mrkdwn', text: `*Level*\n${LEVEL_WORDS[t.from]} → ${LEVEL_WORDS[t.to]}` },
          { type: 'mrkdwn', text: clip(`*Subject*\n${escapeMrkdwn(t.label)}`, FIELD_MAX) },
          { type: 'mrkdwn', text: `*Since*\n${slackDate(t.at)}` },
        ],
      },
      url
        ? {
            type: 'actions',
            elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Tidewatch' }, url }],
          }
        : {
            type: 'context',
            elements: [{ type: 'mrkdwn', text: `Tidewatch page: ${escapeMrkdwn(t.link)}` }],
          },
    ],
  };
}

/** Slack reads `&`, `<` and `>` as markup ("depth 3 > 0" would break a link token). */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Shown in each reader's own time zone, with the ISO time where the client cannot format it. */
function slackDate(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time_secs}|${iso}>`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
