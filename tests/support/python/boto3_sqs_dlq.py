"""Independent SQS client: finds DLQs from RedrivePolicy and reads them with boto3.

Usage: boto3_sqs_dlq.py ENDPOINT_URL QUEUE_PREFIX EXPECTED_DLQ_MESSAGES
Credentials and region come from the AWS_* environment. Prints one JSON document.
"""
import json
import sys
import time

import boto3

sys.dont_write_bytecode = True
from boto3_sqs import receive_batches  # noqa: E402


def main():
    endpoint, prefix, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sqs = boto3.client("sqs", endpoint_url=endpoint)
    urls = sqs.list_queues(QueueNamePrefix=prefix).get("QueueUrls", [])
    queues = {}
    for url in urls:
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn", "RedrivePolicy"])["Attributes"]
        queues[url] = attrs
    by_arn = {attrs["QueueArn"]: url for url, attrs in queues.items()}
    dlqs = {}
    for url, attrs in queues.items():
        if "RedrivePolicy" not in attrs:
            continue
        target = json.loads(attrs["RedrivePolicy"])["deadLetterTargetArn"]
        dlqs.setdefault(target, []).append(attrs["QueueArn"])
    messages = {}
    deadline = time.time() + 10
    for dlq_arn in dlqs:
        dlq_url = by_arn[dlq_arn]
        if len(messages) >= expected:
            break
        for got in receive_batches(sqs, dlq_url, deadline, AttributeNames=["All"]):
            for m in got:
                messages[m["MessageId"]] = {
                    "body": m["Body"],
                    "sourceArn": m.get("Attributes", {}).get("DeadLetterQueueSourceArn"),
                    "correlationId": m.get("MessageAttributes", {}).get("correlation_id", {}).get("StringValue"),
                }
            if len(messages) >= expected:
                break
    print(
        json.dumps(
            {
                "protocol": sqs.meta.service_model.protocol,
                "queues": sorted(url.rsplit("/", 1)[1] for url in urls),
                "dlqs": [{"arn": arn, "sources": sorted(src)} for arn, src in dlqs.items()],
                "messages": messages,
            }
        )
    )


if __name__ == "__main__":
    main()
