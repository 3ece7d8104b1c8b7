"""Asks a Kafka-protocol broker, through kafka-python's admin client, what groups and topics it has.

Usage: kafka-python-admin.py BOOTSTRAP GROUP_ID; prints one JSON object.
"""
import json
import sys

from kafka import KafkaAdminClient


def describe_group(admin: KafkaAdminClient, group_id: str) -> dict:
    info = admin.describe_consumer_groups([group_id])[0]
    members = []
    for m in info.members:
        assignment = getattr(m.member_assignment, "assignment", None) or []
        members.append({
            "member_id": m.member_id,
            "client_id": m.client_id,
            "assignment": {topic: sorted(parts) for topic, parts in assignment},
        })
    return {"error_code": info.error_code, "state": info.state, "protocol": info.protocol, "members": members}


def main() -> None:
    bootstrap, group_id = sys.argv[1], sys.argv[2]
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="kafka-python-check", request_timeout_ms=10000)
    try:
        groups = admin.list_consumer_groups()
        topics = admin.describe_topics(["__consumer_offsets"])
        result = {
            "groups": [{"group_id": g, "protocol_type": t} for g, t in groups],
            "group": describe_group(admin, group_id),
            "offsets_topic": [{"topic": t["topic"], "is_internal": t["is_internal"], "partitions": len(t["partitions"])} for t in topics],
        }
    finally:
        admin.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
