import { describe, expect, it } from 'vitest';
import { alertBody, alertUrl, escapeMrkdwn } from '@/lib/alerts/alert-body';
import type { AlertTransition } from '@/lib/alerts/alert-subject';

const critical: AlertTransition = {
  id: '0b7c1c52-3d7e-4a63-9f39-2a4f1f7d9a10',
  subject: 'kafka/prod/dlq/orders.DLT',
  kind: 'dlq',
  source: 'kafka/prod',
  label: 'DLQ "orders.DLT" on Kafka cluster "prod"',
  link: '/dlq/kafka/prod/orders.DLT',
  from: 'warn',
  to: 'critical',
  at: '2025-03-01T12:00:05.000Z',
  reason: 'critical: DLQ depth 3 > 0 (default for DLQs)',
};
const recovered: AlertTransition = { ...critical, from: 'critical', to: 'ok', reason: 'ok: DLQ depth 0 ≤ 0' };

describe('generic body', () => {
  it('carries the change as one documented object', () => {
    expect(alertBody('generic', critical, 'https://ops.example.com/tidewatch/')).toEqual({
      type: 'tidewatch.alert.transition',
      id: critical.id,
      subject: 'kafka/prod/dlq/orders.DLT',
      kind: 'dlq',
      label: 'DLQ "orders.DLT" on Kafka cluster "prod"',
      from: 'warn',
      to: 'critical',
      at: '2025-03-01T12:00:05.000Z',
      reason: 'critical: DLQ depth 3 > 0 (default for DLQs)',
      path: '/dlq/kafka/prod/orders.DLT',
      url: 'https://ops.example.com/tidewatch/dlq/kafka/prod/orders.DLT',
    });
  });

  it('has a null url without a public URL', () => {
    expect(alertBody('generic', critical)).toMatchObject({ path: critical.link, url: null });
  });
});

describe('slack body', () => {
  it('gives the level, subject, reason, start and a button to the page', () => {
    expect(alertBody('slack', critical, 'https://ops.example.com')).toEqual({
      text: ':red_circle: CRITICAL: DLQ "orders.DLT" on Kafka cluster "prod" (was warn)',
      blocks: [
        {
          type: 'header',
          text: {
            type: 'plain_text',
            text: ':red_circle: CRITICAL: DLQ "orders.DLT" on Kafka cluster "prod" (was warn)',
            emoji: true,
          },
        },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: 'critical: DLQ depth 3 &gt; 0 (default for DLQs)' },
          fields: [
            { type: 'mrkdwn', text: '*Level*\nWARN → CRITICAL' },
            { type: 'mrkdwn', text: '*Subject*\nDLQ "orders.DLT" on Kafka cluster "prod"' },
            {
              type: 'mrkdwn',
              text: '*Since*\n<!date^1740830405^{date_short_pretty} {time_secs}|2025-03-01T12:00:05.000Z>',
            },
          ],
        },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              text: { type: 'plain_text', text: 'Open in Tidewatch' },
              url: 'https://ops.example.com/dlq/kafka/prod/orders.DLT',
            },
          ],
        },
      ],
    });
  });

  it('announces a recovery and names the page path without a public URL', () => {
    const body = alertBody('slack', recovered) as { text: string; blocks: unknown[] };
    expect(body.text).toBe(
      ':large_green_circle: Recovered: DLQ "orders.DLT" on Kafka cluster "prod" (was critical)',
    );
    expect(body.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Tidewatch page: /dlq/kafka/prod/orders.DLT' }],
    });
  });

  it('keeps the header within Slack’s 150 characters', () => {
    const long = { ...critical, label: `group "${'x'.repeat(300)}" on Kafka cluster "prod"` };
    const body = alertBody('slack', long) as { blocks: { text: { text: string } }[] };
    const header = body.blocks[0]?.text.text ?? '';
    expect(header).toHaveLength(150);
    expect(header.endsWith('…')).toBe(true);
  });
});

describe('helpers', () => {
  it('escapes the three characters Slack reads as markup', () => {
    expect(escapeMrkdwn('a < b && c > d <!here>')).toBe('a &lt; b &amp;&amp; c &gt; d &lt;!here&gt;');
  });

  it.each([
    ['https://ops.example.com', 'https://ops.example.com/lag/prod/g'],
    ['https://ops.example.com/', 'https://ops.example.com/lag/prod/g'],
    ['https://ops.example.com/tw//', 'https://ops.example.com/tw/lag/prod/g'],
  ])('joins %s with a page path', (base, expected) => {
    expect(alertUrl('/lag/prod/g', base)).toBe(expected);
  });
});
