"""Starts librdkafka's built-in mock Kafka cluster and keeps it alive until stdin closes or a signal.

Prints one line, `bootstrap=HOST:PORT`, once the mock brokers listen.
"""
import signal
import sys
import threading

from confluent_kafka import Producer


def main() -> None:
    brokers = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    # The bootstrap.servers value is ignored: the mock cluster replaces it with its own listeners.
    producer = Producer({"test.mock.num.brokers": brokers, "bootstrap.servers": "unused:9092"})
    metadata = producer.list_topics(timeout=10)
    addresses = sorted(f"{b.host}:{b.port}" for b in metadata.brokers.values())
    print("bootstrap=" + ",".join(addresses), flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    while not stop.is_set():
        producer.poll(0.2)


if __name__ == "__main__":
    main()
