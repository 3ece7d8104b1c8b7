import 'server-only';
import type { QueueRef, RedrivePolicy } from './types';

/** The queue name is the last path segment of its URL on AWS and on every emulator. */
export function queueNameFromUrl(url: string): string {
  const path = url.split('?')[0] ?? url;
  const last = path.replace(/\/+$/, '').split('/').pop() ?? '';
  return decodeURIComponent(last);
}

/** arn:partition:sqs:region:account:name */
export function parseQueueArn(arn: string): { account: string; name: string } | null {
  const parts = arn.split(':');
  const account = parts[4];
  const name = parts[5];
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'sqs' || !account || !name) return null;
  return { account, name };
}

export function parseRedrivePolicy(raw: string | undefined): RedrivePolicy | null {
  if (!raw) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { deadLetterTargetArn, maxReceiveCount } = parsed as Record<string, unknown>;
    // Policies written by hand or by older tools carry the count as a string.
    const count = Number(maxReceiveCount);
    if (typeof deadLetterTargetArn !== 'string' || !Number.isFinite(count)) return null;
    return { deadLetterTargetArn, maxReceiveCount: count };
  } catch {
    return null;
  }
}

export function toRef(queue: QueueRef): QueueRef {
  return { name: queue.name, url: queue.url, arn: queue.arn };
}
