"""Committed offsets, log ends and lag of consumer groups, as kafka-python reads them.

Usage: kafka-python-lag.py BOOTSTRAP GROUP_ID...; prints one JSON object
{group: [{topic, partition, committed, end, lag}]}, lag = end - committed (the consumer-groups tool's LAG).
"""
import json
import sys

from kafka import KafkaAdminClient, KafkaConsumer


def main() -> None:
    bootstrap, groups = sys.argv[1], sys.argv[2:]
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="kafka-python-lag", request_timeout_ms=10000)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id="kafka-python-lag", enable_auto_commit=False)
    result = {}
    try:
        for group in groups:
            committed = admin.list_consumer_group_offsets(group)
            ends = consumer.end_offsets(list(committed.keys()))
            result[group] = sorted(
                (
                    {"topic": tp.topic, "partition": tp.partition, "committed": meta.offset, "end": ends[tp], "lag": ends[tp] - meta.offset}
                    for tp, meta in committed.items()
                ),
                key=lambda r: (r["topic"], r["partition"]),
            )
    finally:
        consumer.close()
        admin.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
