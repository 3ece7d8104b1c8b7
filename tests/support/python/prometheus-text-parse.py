"""Reads Prometheus text exposition from stdin with prometheus_client's own parser (Debian's
python3-prometheus-client) and prints what it understood as one JSON array of metric families.

Usage: prometheus-text-parse.py < metrics.txt; exit 1 with the parser's error when the text is invalid.
"""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def number(value: float):
    # JSON has no infinities or NaN: those travel as the format's own spelling.
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return value


def main() -> None:
    text = sys.stdin.buffer.read().decode("utf-8")
    try:
        families = [
            {
                "name": family.name,
                "type": family.type,
                "help": family.documentation,
                "samples": [
                    {"name": s.name, "labels": s.labels, "value": number(s.value)} for s in family.samples
                ],
            }
            for family in text_string_to_metric_families(text)
        ]
    except Exception as error:  # the parser raises ValueError, and others on some malformed input
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
    json.dump(families, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
