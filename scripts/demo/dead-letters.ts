import type { IHeaders } from 'kafkajs';
import { pick } from './lifecycle';

/** Where a failed record sat when its consumer gave up on it. */
export interface OriginalRecord {
  topic: string;
  partition: number;
  offset: string;
  timestampMs: number;
}

function int32(value: number): Buffer {
  const buf = Buffer.alloc(4);
  buf.writeInt32BE(value);
  return buf;
}

function int64(value: bigint): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigInt64BE(value);
  return buf;
}

const SPRING_FAILURES = [
  {
    cause: 'com.example.shipping.AddressValidationException',
    message: "Postal code '99999' is not valid for country NL",
    frame: 'com.example.shipping.AddressValidator.validate(AddressValidator.java:88)',
  },
  {
    cause: 'org.springframework.dao.QueryTimeoutException',
    message:
      'PreparedStatementCallback; SQL [insert into shipment_request ...]; query timed out after 5000ms',
    frame: 'com.example.shipping.ShipmentRepository.save(ShipmentRepository.java:41)',
  },
  {
    cause: 'java.lang.IllegalStateException',
    message: 'Payment amount does not match order total',
    frame: 'com.example.shipping.PaymentsListener.onPayment(PaymentsListener.java:57)',
  },
];

const LISTENER_FAILED = 'org.springframework.kafka.listener.ListenerExecutionFailedException';

function springStacktrace(cause: string, message: string, frame: string): string {
  return [
    `${LISTENER_FAILED}: Listener method 'onPayment' threw exception`,
    '\tat org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer.decorateException(KafkaMessageListenerContainer.java:2945)',
    '\tat org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer.doInvokeOnMessage(KafkaMessageListenerContainer.java:2858)',
    `Caused by: ${cause}: ${message}`,
    `\tat ${frame}`,
    '\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)',
    '\t... 14 more',
  ].join('\n');
}

/** The headers Spring Kafka's DeadLetterPublishingRecoverer adds; numbers are big-endian as it writes them. */
export function springDltHeaders(original: OriginalRecord, consumerGroup: string): IHeaders {
  const failure = pick(SPRING_FAILURES);
  return {
    'kafka_dlt-original-topic': original.topic,
    'kafka_dlt-original-partition': int32(original.partition),
    'kafka_dlt-original-offset': int64(BigInt(original.offset)),
    'kafka_dlt-original-timestamp': int64(BigInt(original.timestampMs)),
    'kafka_dlt-original-timestamp-type': 'CreateTime',
    'kafka_dlt-original-consumer-group': consumerGroup,
    'kafka_dlt-exception-fqcn': LISTENER_FAILED,
    'kafka_dlt-exception-cause-fqcn': failure.cause,
    'kafka_dlt-exception-message': `Listener method 'onPayment' threw exception; nested exception is ${failure.cause}: ${failure.message}`,
    'kafka_dlt-exception-stacktrace': springStacktrace(failure.cause, failure.message, failure.frame),
  };
}

const CONNECT_FAILURES = [
  {
    stage: 'VALUE_CONVERTER',
    className: 'org.apache.kafka.connect.json.JsonConverter',
    exception: 'org.apache.kafka.connect.errors.DataException',
    message:
      'Converting byte[] to Kafka Connect data failed due to serialization error: unexpected field warehouse',
  },
  {
    stage: 'TASK_PUT',
    className: 'io.confluent.connect.jdbc.sink.JdbcSinkTask',
    exception: 'java.sql.SQLIntegrityConstraintViolationException',
    message: "Duplicate entry for key 'reservation_pk'",
  },
];

export const INVENTORY_SINK_CONNECTOR = 'inventory-sink';

/** Kafka Connect's dead letter context headers (errors.deadletterqueue.context.headers.enable). */
export function connectDlqHeaders(original: OriginalRecord): IHeaders {
  const failure = pick(CONNECT_FAILURES);
  return {
    '__connect.errors.topic': original.topic,
    '__connect.errors.partition': String(original.partition),
    '__connect.errors.offset': original.offset,
    '__connect.errors.connector.name': INVENTORY_SINK_CONNECTOR,
    '__connect.errors.task.id': '0',
    '__connect.errors.stage': failure.stage,
    '__connect.errors.class.name': failure.className,
    '__connect.errors.exception.class.name': failure.exception,
    '__connect.errors.exception.message': failure.message,
    '__connect.errors.exception.stacktrace': [
      `${failure.exception}: ${failure.message}`,
      `\tat ${failure.className}.put(${failure.className.split('.').pop()}.java:112)`,
      '\tat org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:601)',
    ].join('\n'),
  };
}
