"""Independent clients for the demo's walks: what reached a Kafka topic, what an SQS queue holds, and
an SQS sender of another language's SDK.

Usage:
  demo-peers.py kafka BOOTSTRAP TOPIC FIELD PREFIX
      every record of TOPIC (up to its end offsets now) whose FIELD ("key", or a header's name) starts
      with PREFIX, read by kafka-python: [{partition, offset, key, value, headers}], bytes as base64.
  demo-peers.py sqs ENDPOINT_URL QUEUE_NAME
      every message in the queue, read by boto3 (each received once, then released at once):
      {"ids": [...], "messages": [{id, body, attributes: {name: string value}}]}.
  demo-peers.py sqs-send ENDPOINT_URL QUEUE_NAME BODY
      sends BODY to the queue with boto3: {"id": message id}.
Prints one JSON document.
"""
import base64
import json
import pathlib
import sys
import time

# The shared boto3 helpers sit with the other independent clients; no bytecode written into the tree.
sys.dont_write_bytecode = True
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "support" / "python"))
from boto3_sqs import escaping_client, receive_batches  # noqa: E402


def b64(value):
    return None if value is None else base64.b64encode(value).decode("ascii")


def kafka(bootstrap, topic, field, prefix):
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id="demo-replay-check", enable_auto_commit=False)
    try:
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        ends = consumer.end_offsets(parts)
        found = []
        deadline = time.time() + 30
        while time.time() < deadline and any(consumer.position(tp) < ends[tp] for tp in parts):
            for tp, records in consumer.poll(timeout_ms=500).items():
                for r in records:
                    if r.offset >= ends[tp]:
                        continue
                    value = r.key if field == "key" else dict(r.headers).get(field)
                    if value is None or not value.decode("utf8", "replace").startswith(prefix):
                        continue
                    found.append(
                        {
                            "partition": tp.partition,
                            "offset": r.offset,
                            "key": b64(r.key),
                            "value": b64(r.value),
                            "headers": [[k, b64(v)] for k, v in r.headers],
                        }
                    )
        return found
    finally:
        consumer.close()


def sqs(endpoint, name):
    client = escaping_client(endpoint)
    url = client.get_queue_url(QueueName=name)["QueueUrl"]
    ids, handles, messages = set(), [], []
    for got in receive_batches(client, url, time.time() + 15):
        if not got:
            break
        for m in got:
            if m["MessageId"] not in ids:
                attributes = {k: v.get("StringValue") for k, v in m.get("MessageAttributes", {}).items()}
                messages.append({"id": m["MessageId"], "body": m["Body"], "attributes": attributes})
            ids.add(m["MessageId"])
            handles.append(m["ReceiptHandle"])
    # Released at once, as the console's own browse does, so the walk hides nothing from the app.
    for start in range(0, len(handles), 10):
        batch = handles[start : start + 10]
        client.change_message_visibility_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": h, "VisibilityTimeout": 0} for i, h in enumerate(batch)],
        )
    return {"ids": sorted(ids), "messages": messages}


def sqs_send(endpoint, name, body):
    client = escaping_client(endpoint)
    url = client.get_queue_url(QueueName=name)["QueueUrl"]
    return {"id": client.send_message(QueueUrl=url, MessageBody=body)["MessageId"]}


def main():
    if sys.argv[1] == "kafka":
        print(json.dumps(kafka(*sys.argv[2:6])))
    elif sys.argv[1] == "sqs":
        print(json.dumps(sqs(sys.argv[2], sys.argv[3])))
    elif sys.argv[1] == "sqs-send":
        print(json.dumps(sqs_send(sys.argv[2], sys.argv[3], sys.argv[4])))
    else:
        raise SystemExit(f"unknown command {sys.argv[1]}")


if __name__ == "__main__":
    main()
