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
import sys
import time


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


def _escape_bodies(xml):
    """local-aws-sqs writes a Body's or an attribute's StringValue's < and bare & unescaped in its XML
    (the demo's HTML and SNS bodies, its hostile attribute)."""
    import re

    def escape(match):
        text = re.sub(rb"&(?!(?:[a-zA-Z]+|#[0-9]+);)", b"&amp;", match.group(2))
        return match.group(1) + text.replace(b"<", b"&lt;").replace(b">", b"&gt;") + match.group(3)

    return re.sub(rb"(<Body>|<StringValue>)(.*?)(</Body>|</StringValue>)", escape, xml, flags=re.S)


def _sqs_client(endpoint):
    import boto3
    from botocore import parsers

    parse = parsers.BaseXMLResponseParser._parse_xml_string_to_dom
    parsers.BaseXMLResponseParser._parse_xml_string_to_dom = lambda self, xml: parse(self, _escape_bodies(xml))
    return boto3.client("sqs", endpoint_url=endpoint)


def sqs(endpoint, name):
    client = _sqs_client(endpoint)
    url = client.get_queue_url(QueueName=name)["QueueUrl"]
    ids, handles, messages = set(), [], []
    deadline = time.time() + 15
    while time.time() < deadline:
        got = client.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=30,
            WaitTimeSeconds=0,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
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
    client = _sqs_client(endpoint)
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
