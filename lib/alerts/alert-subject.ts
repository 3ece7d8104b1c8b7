import type { BrokerKind, DlqView, GroupView, SourceView, SubjectId } from '@/lib/fleet/fleet-view';
import { dlqHref, groupHref } from '@/lib/fleet/links';
import type { Level } from '@/lib/thresholds/metrics';

/*
 * What an alert is about: a consumer group, a DLQ, or a broker source (cluster or account) that
 * could not be read. Each has a stable id, a label for humans and a path to its page.
 */

export type SubjectKind = 'group' | 'dlq' | 'source';

export interface AlertSubject {
  subject: SubjectId;
  kind: SubjectKind;
  /** `kafka/prod`: the subject is frozen while this source is down. */
  source: string;
  /** `group "orders-eu" on Kafka cluster "prod"`. */
  label: string;
  /** Path of the subject's page, without the app's base URL. */
  link: string;
}

/** A recorded change of a subject's level. */
export interface AlertTransition extends AlertSubject {
  /** UUID: the public id of the change, in bodies and idempotency keys. */
  id: string;
  from: Level;
  to: Level;
  /** ISO time the subject entered `to`, as best known. */
  at: string;
  reason: string;
}

const BROKER_WORDS: Record<BrokerKind, string> = { kafka: 'Kafka cluster', sqs: 'SQS account' };

export const sourceKey = (kind: BrokerKind, name: string): string => `${kind}/${name}`;

export const sourceSubjectId = (kind: BrokerKind, name: string): SubjectId =>
  `${sourceKey(kind, name)}/source`;

export function groupSubject(group: GroupView): AlertSubject {
  return {
    subject: group.id,
    kind: 'group',
    source: sourceKey('kafka', group.cluster),
    label: `group "${group.groupId}" on ${BROKER_WORDS.kafka} "${group.cluster}"`,
    link: groupHref(group.cluster, group.groupId),
  };
}

export function dlqSubject(dlq: DlqView): AlertSubject {
  return {
    subject: dlq.id,
    kind: 'dlq',
    source: sourceKey(dlq.kind, dlq.source),
    label: `DLQ "${dlq.name}" on ${BROKER_WORDS[dlq.kind]} "${dlq.source}"`,
    link: dlqHref(dlq.kind, dlq.source, dlq.name),
  };
}

/** A source has no page of its own: the overview lists every source with its error. */
export function sourceSubject(source: SourceView): AlertSubject {
  return {
    subject: sourceSubjectId(source.kind, source.name),
    kind: 'source',
    source: sourceKey(source.kind, source.name),
    label: `${BROKER_WORDS[source.kind]} "${source.name}"`,
    link: '/',
  };
}
