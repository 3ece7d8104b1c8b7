"""boto3 against the SQS emulators, for the tests' independent readers: a client that copes with
local-aws-sqs's XML, and the receive loop they share."""
import re
import time


def _escape_bodies(xml):
    """local-aws-sqs writes a Body's or an attribute's StringValue's < and bare & unescaped in its XML
    (the demo's HTML and SNS bodies, its hostile attribute)."""

    def escape(match):
        text = re.sub(rb"&(?!(?:[a-zA-Z]+|#[0-9]+);)", b"&amp;", match.group(2))
        return match.group(1) + text.replace(b"<", b"&lt;").replace(b">", b"&gt;") + match.group(3)

    return re.sub(rb"(<Body>|<StringValue>)(.*?)(</Body>|</StringValue>)", escape, xml, flags=re.S)


def escaping_client(endpoint):
    """An SQS client whose responses have Body and StringValue text escaped before botocore parses them."""
    # Imported here: a caller that only reads Kafka does not pay for boto3.
    import boto3
    from botocore import parsers

    parse = parsers.BaseXMLResponseParser._parse_xml_string_to_dom
    parsers.BaseXMLResponseParser._parse_xml_string_to_dom = lambda self, xml: parse(self, _escape_bodies(xml))
    return boto3.client("sqs", endpoint_url=endpoint)


def receive_batches(client, url, deadline, **receive_args):
    """Receives from the queue, ten at a time and hidden for 30 s, with every message attribute, until
    the deadline; yields each batch, empty ones too, and the caller stops when it has what it wants."""
    while time.time() < deadline:
        yield client.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=30,
            WaitTimeSeconds=0,
            MessageAttributeNames=["All"],
            **receive_args,
        ).get("Messages", [])
