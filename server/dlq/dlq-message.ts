import 'server-only';
import type { Role } from '@/lib/auth/roles';
import type { MaskingRuleConfig } from '@/lib/config/masking-schema';
import { groupingClass } from '@/lib/dead-letters/failure-groups';
import { failureReason } from '@/lib/dead-letters/failure-reason';
import {
  bodyText,
  type DlqMessageRow,
  type HeaderView,
  type MessageLocationView,
} from '@/lib/dlq/message-row';
import { type EnvelopeRules, extractEnvelope } from '@/lib/envelope/extract-envelope';
import { type MaskedBody, maskMessage } from '@/lib/masking/mask-fields';
import { base64ToBytes } from '@/lib/payload/bytes';
import { type DecodedBody, decodeBody, hexDump } from '@/lib/payload/decode-body';
import { registryLine } from '@/lib/payload/schema-view';
import type { DeadLetterMessage, MessageBytes } from '@/server/brokers/dead-letter-source';
import type { RegistryClient } from '@/server/schema-registry/client';
import { decodeWithRegistry } from '@/server/schema-registry/decode-confluent';

/** Characters of body the text filter searches; the detail shows the whole (capped) body. */
const SEARCH_BODY_CHARS = 16 * 1024;
const MAX_KEY_CHARS = 1024;

export interface RowContext {
  envelope: EnvelopeRules;
  masking: readonly MaskingRuleConfig[];
  role: Role;
  /** The cluster's Schema Registry; absent or null = wire-format bodies say none is configured. */
  registry?: RegistryClient | null;
}

function bytesDisplay(bytes: MessageBytes | null): string | null {
  if (bytes === null) return null;
  if (bytes.text !== null) return bytes.text.slice(0, 64 * 1024);
  return `hex: ${hexDump(base64ToBytes(bytes.base64).subarray(0, 1024)).trim()}`;
}

function locationView(m: DeadLetterMessage): MessageLocationView {
  const l = m.location;
  return l.kind === 'kafka'
    ? { kind: 'kafka', where: l.topic, partition: l.partition, offset: l.offset, messageId: null }
    : { kind: 'sqs', where: l.queue, partition: null, offset: null, messageId: l.messageId };
}

/** A body masking had to hide still says what the registry made of it (why it was not decoded). */
function withRegistryReason(body: MaskedBody, decoded: DecodedBody): MaskedBody {
  if (body.kind !== 'hidden' || decoded.kind !== 'confluent' || !decoded.registry) return body;
  // Not "shown as hex": masking has hidden the hex too, and says why after this.
  const line = registryLine(decoded.registry).replace(/; shown as hex$/, '');
  return { ...body, reason: `${line}; ${body.reason}` };
}

// The parsed JSON value is dropped: `pretty` already shows it (masked), and the value would double the payload.
function lean(body: MaskedBody): MaskedBody {
  if (body.kind === 'json') return { ...body, value: null };
  if (body.kind === 'confluent') return { ...body, inner: lean(body.inner) as typeof body.inner };
  return body;
}

/** Dead letters as rows, wire-format bodies decoded with the registry's schemas first (then masked). */
export async function messageRows(messages: DeadLetterMessage[], ctx: RowContext): Promise<DlqMessageRow[]> {
  const registry = ctx.registry ?? null;
  return Promise.all(
    messages.map(async (m) =>
      messageRow(m, ctx, await decodeWithRegistry(decodeBody(m.body), m.body, registry)),
    ),
  );
}

/** One dead letter, masked for `role` before anything of it leaves the server. */
export function messageRow(
  m: DeadLetterMessage,
  ctx: RowContext,
  decoded: DecodedBody = decodeBody(m.body),
): DlqMessageRow {
  const reason = failureReason(m);
  const envelope = extractEnvelope(m, ctx.envelope);
  const masked = maskMessage(
    {
      body: decoded,
      headers: m.headers,
      systemAttributes: m.systemAttributes,
      failure: { message: reason.message, stackTrace: reason.stackTrace },
    },
    ctx.masking,
    ctx.role,
  );
  const headers: HeaderView[] = masked.headers.map((h) => ({
    key: h.key,
    value: bytesDisplay(h.value),
    dataType: h.dataType ?? null,
  }));
  const systemAttributes = masked.systemAttributes ? Object.entries(masked.systemAttributes) : null;
  const searchText = [
    bodyText(masked.body).slice(0, SEARCH_BODY_CHARS),
    ...headers.map((h) => h.value ?? ''),
    ...(systemAttributes ?? []).map(([, v]) => v),
  ]
    .join('\n')
    .toLowerCase();
  return {
    id: m.id,
    location: locationView(m),
    timestamp: m.timestamp,
    key: bytesDisplay(m.key)?.slice(0, MAX_KEY_CHARS) ?? null,
    size: m.body?.size ?? 0,
    receiveCount: m.receiveCount ?? reason.receiveCount,
    eventType: envelope.eventType,
    correlationId: envelope.correlationId,
    schemaVersion: envelope.schemaVersion,
    producer: envelope.producer,
    schemaId: decoded.kind === 'confluent' ? decoded.schemaId : null,
    failure: {
      convention: reason.convention,
      exceptionClass: reason.exceptionClass,
      groupClass: groupingClass(reason),
      message: masked.failure?.message ?? null,
      stackTrace: masked.failure?.stackTrace ?? null,
      stackTraceTruncated: reason.stackTraceTruncated,
      original: reason.original,
      failedAt: reason.failedAt,
      details: reason.details,
      warnings: reason.warnings,
    },
    body: withRegistryReason(lean(masked.body), decoded),
    headers,
    systemAttributes,
    masking: masked.masking,
    searchText,
  };
}
