"""DLQ depths as independent clients read them: kafka-python for topics, boto3 for SQS queues.

Usage: independent-depths.py BOOTSTRAP SQS_ENDPOINT_URL kafka:TOPIC... sqs:QUEUE...
Prints one JSON object {"kafka": {topic: records retained (end - start)}, "sqs": {queue: visible + in flight}}.
Credentials and region for SQS come from the AWS_* environment.
"""
import json
import sys

import boto3
from kafka import KafkaConsumer, TopicPartition


def main() -> None:
    bootstrap, endpoint, subjects = sys.argv[1], sys.argv[2], sys.argv[3:]
    topics = [s[len("kafka:"):] for s in subjects if s.startswith("kafka:")]
    queues = [s[len("sqs:"):] for s in subjects if s.startswith("sqs:")]
    result = {"kafka": {}, "sqs": {}}
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id="independent-depths", enable_auto_commit=False)
    try:
        for topic in topics:
            parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
            ends, starts = consumer.end_offsets(parts), consumer.beginning_offsets(parts)
            result["kafka"][topic] = sum(ends[tp] - starts[tp] for tp in parts)
    finally:
        consumer.close()
    sqs = boto3.client("sqs", endpoint_url=endpoint)
    for queue in queues:
        url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        result["sqs"][queue] = sum(int(attrs[n]) for n in names)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
