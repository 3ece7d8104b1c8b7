import { describe, expect, it } from 'vitest';
import { webhooksFor } from '@/lib/alerts/webhook-routing';
import { alertsConfig } from './alert-fixtures';

const { webhooks } = alertsConfig([
  { name: 'all', urlEnv: 'ALL_URL', minLevel: 'warn' },
  { name: 'pager', urlEnv: 'PAGER_URL', minLevel: 'critical' },
]).alerts;

describe('webhooksFor', () => {
  it.each([
    { from: 'ok', to: 'warn', expected: ['all'] },
    { from: 'warn', to: 'ok', expected: ['all'] },
    { from: 'ok', to: 'critical', expected: ['all', 'pager'] },
    { from: 'warn', to: 'critical', expected: ['all', 'pager'] },
    // The pager saw critical, so it hears that critical is over, whatever comes next.
    { from: 'critical', to: 'warn', expected: ['all', 'pager'] },
    { from: 'critical', to: 'ok', expected: ['all', 'pager'] },
  ] as const)('$from → $to goes to $expected', ({ from, to, expected }) => {
    expect(webhooksFor({ from, to }, webhooks).map((hook) => hook.name)).toEqual(expected);
  });
});
