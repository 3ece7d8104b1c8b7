import type { BrokerKind } from '@/lib/fleet/fleet-view';

/*
 * Addresses of the fleet pages. Names go in one path segment each, escaped: Kafka group ids and SQS
 * queue names may hold `/`, `?` or `#`.
 */

const segment = (name: string) => encodeURIComponent(name);

export function groupHref(cluster: string, groupId: string): string {
  return `/lag/${segment(cluster)}/${segment(groupId)}`;
}

export function dlqHref(kind: BrokerKind, source: string, name: string): string {
  return `/dlq/${kind}/${segment(source)}/${segment(name)}`;
}

/**
 * A page's path segment as the name it stands for. Next 16 hands pages their dynamic segments still
 * percent-encoded (route handlers get them decoded), so pages decode them once here.
 */
export function segmentName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
