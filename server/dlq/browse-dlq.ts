import 'server-only';
import type { Role } from '@/lib/auth/roles';
import type { TidewatchConfig } from '@/lib/config/schema';
import type { DlqMessageRow } from '@/lib/dlq/message-row';
import { envelopeRules } from '@/lib/envelope/rules';
import type { BrokerKind } from '@/lib/fleet/fleet-view';
import { rulesFor } from '@/lib/masking/mask-fields';
import type { BrowseCursor, DeadLetterSource } from '@/server/brokers/dead-letter-source';
import { deadLetterSources } from '@/server/brokers/dead-letter-sources';
import { ServiceError } from '@/server/errors';
import { registryClient } from '@/server/schema-registry/client';
import { messageRows } from './dlq-message';

export interface BrowseRequest {
  kind: BrokerKind;
  source: string;
  name: string;
  cursor?: BrowseCursor;
  limit?: number;
  acknowledgeRedriveRisk?: boolean;
}

/** An SQS queue with a RedrivePolicy of its own: browsing it could move messages on, so it waits for a yes. */
export interface RedriveRisk {
  message: string;
  maxReceiveCount: number | null;
  target: string | null;
}

export type BrowseResult =
  | { kind: 'page'; messages: DlqMessageRow[]; next: BrowseCursor | null; remaining: number }
  | { kind: 'redrive-risk'; risk: RedriveRisk };

function findSource(config: TidewatchConfig, kind: BrokerKind, source: string): DeadLetterSource {
  const found = deadLetterSources(config).find((s) => s.kind === kind && s.name === source);
  if (!found) throw new ServiceError('not_found', `No ${kind} source named ${source} is configured`);
  return found;
}

function redriveRisk(error: unknown): RedriveRisk | null {
  if (!(error instanceof ServiceError) || error.code !== 'conflict') return null;
  const redrive = error.details?.redrive as
    | { maxReceiveCount?: unknown; deadLetterTargetArn?: unknown }
    | undefined;
  if (!redrive) return null;
  const arn = typeof redrive.deadLetterTargetArn === 'string' ? redrive.deadLetterTargetArn : null;
  return {
    message: error.message,
    maxReceiveCount: typeof redrive.maxReceiveCount === 'number' ? redrive.maxReceiveCount : null,
    target: arn ? (arn.split(':').at(-1) ?? arn) : null,
  };
}

// Browse sources are kept per config object: their broker clients are cached per cluster anyway.
const sourcesByConfig = new WeakMap<TidewatchConfig, Map<string, DeadLetterSource>>();

function cachedSource(config: TidewatchConfig, kind: BrokerKind, source: string): DeadLetterSource {
  const byName = sourcesByConfig.get(config) ?? new Map<string, DeadLetterSource>();
  sourcesByConfig.set(config, byName);
  const key = `${kind}\u0000${source}`;
  const found = byName.get(key) ?? findSource(config, kind, source);
  byName.set(key, found);
  return found;
}

function registryFor(config: TidewatchConfig, req: BrowseRequest) {
  if (req.kind !== 'kafka') return null;
  const registry = config.kafka.clusters.find((c) => c.name === req.source)?.schemaRegistry;
  return registry ? registryClient(registry) : null;
}

/** One page of a DLQ's messages, masked for `role`. Never consumes: see DeadLetterSource.browse. */
export async function browseDlq(
  config: TidewatchConfig,
  role: Role,
  req: BrowseRequest,
): Promise<BrowseResult> {
  const source = cachedSource(config, req.kind, req.source);
  if (req.cursor && (req.cursor.kind !== req.kind || req.cursor.dlq !== req.name)) {
    throw new ServiceError('invalid_input', 'That page cursor belongs to another DLQ');
  }
  let page: Awaited<ReturnType<DeadLetterSource['browse']>>;
  try {
    page = await source.browse(req.name, {
      limit: req.limit,
      cursor: req.cursor,
      acknowledgeRedriveRisk: req.acknowledgeRedriveRisk === true,
    });
  } catch (error) {
    const risk = redriveRisk(error);
    if (risk) return { kind: 'redrive-risk', risk };
    throw error;
  }
  const ctx = {
    envelope: envelopeRules(config.envelope),
    masking: rulesFor(
      config.masking,
      req.kind === 'kafka' ? { cluster: req.source, topic: req.name } : { queue: req.name },
    ),
    role,
    registry: registryFor(config, req),
  };
  return {
    kind: 'page',
    messages: await messageRows(page.messages, ctx),
    next: page.next,
    remaining: page.remaining,
  };
}
