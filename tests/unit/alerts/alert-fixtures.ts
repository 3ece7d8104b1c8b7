import { configSchema, type TidewatchConfig } from '@/lib/config/schema';
import type { BrokerKind, DlqView, FleetView, GroupView, SourceView } from '@/lib/fleet/fleet-view';
import type { Level } from '@/lib/thresholds/metrics';
import { sampleDlq, sampleGroup } from '@/tests/support/fleet-view-sample';

/** Test time: seconds after 2025-03-01T12:00:00Z as ISO, and as epoch ms. */
export const T0 = Date.parse('2025-03-01T12:00:00.000Z');
export const iso = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
export const ms = (seconds: number) => T0 + seconds * 1000;

export function group(cluster: string, groupId: string, level: Level, since = iso(0)): GroupView {
  return sampleGroup(cluster, groupId, {
    members: [],
    offsetLag: level === 'ok' ? 0 : 5000,
    maxLag: level === 'ok' ? 0 : 5000,
    judgement: { level, reason: `${level}: time lag (test)`, metric: 'timeLagSeconds', since },
    partitions: [],
  });
}

export function dlq(kind: BrokerKind, source: string, name: string, level: Level, since = iso(0)): DlqView {
  return sampleDlq(kind, source, name, {
    depth: level === 'ok' ? 0 : 3,
    judgement: { level, reason: `${level}: DLQ depth 3 > 0 (default for DLQs)`, metric: 'dlqDepth', since },
  });
}

export function source(kind: BrokerKind, name: string, error: string | null = null): SourceView {
  return {
    kind,
    name,
    ok: error === null,
    error,
    lastGoodAt: error === null ? iso(0) : null,
    lastTriedAt: iso(0),
    durationMs: 5,
  };
}

/** A view at `seconds`; every source its groups and DLQs name is listed, up, unless given. */
export function fleetView(
  seconds: number,
  parts: { groups?: GroupView[]; dlqs?: DlqView[]; sources?: SourceView[] },
): FleetView {
  const groups = parts.groups ?? [];
  const dlqs = parts.dlqs ?? [];
  const sources = [...(parts.sources ?? [])];
  const named = [
    ...groups.map((g) => ['kafka', g.cluster] as const),
    ...dlqs.map((d) => [d.kind, d.source] as const),
  ];
  for (const [kind, name] of named) {
    if (!sources.some((s) => s.kind === kind && s.name === name)) sources.push(source(kind, name));
  }
  return { takenAt: iso(seconds), sources, groups, dlqs };
}

export interface TestWebhook {
  name: string;
  urlEnv: string;
  format?: 'slack' | 'generic';
  minLevel?: 'warn' | 'critical';
}

export function alertsConfig(webhooks: TestWebhook[], publicUrl?: string): TidewatchConfig {
  return configSchema.parse({
    auth: {
      oidc: { issuer: 'https://idp.example.com', clientId: 'tidewatch', clientSecretEnv: 'OIDC_SECRET' },
    },
    alerts: { webhooks, publicUrl },
  });
}
