import 'server-only';

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export interface SqsQueue {
  name: string;
  url: string;
  arn: string;
  fifo: boolean;
  /** The queue's own RedrivePolicy: where its failed messages go, if anywhere. */
  redrive: RedrivePolicy | null;
}

export interface QueueStats {
  visible: number;
  inFlight: number;
  delayed: number;
  /** SQS reports this only through CloudWatch; null until a sampler supplies it. */
  oldestAgeSeconds: number | null;
  redrive: RedrivePolicy | null;
}

export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

/** A queue and its counters from one GetQueueAttributes. */
export interface QueueState extends SqsQueue {
  depth: QueueDepth;
}

export type QueueRef = Pick<SqsQueue, 'name' | 'url' | 'arn'>;

/** How the sources of a DLQ were established. */
export type DeadLetterDiscovery = 'list-dead-letter-source-queues' | 'redrive-policy-scan';

export interface DeadLetterQueue extends QueueRef {
  fifo: boolean;
  sources: QueueRef[];
  discoveredBy: DeadLetterDiscovery;
}

export interface PeekedMessageAttribute {
  dataType: string;
  stringValue?: string;
  binaryBase64?: string;
}

export interface PeekedMessage {
  messageId: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, PeekedMessageAttribute>;
  receiveCount: number;
  /** ISO 8601, from the SentTimestamp system attribute. */
  sentAt: string | null;
  /** The queue the message was dead-lettered from, when the broker reports it. */
  sourceArn: string | null;
}
