import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.ListenerExecutionFailedException;

/**
 * Reads every record of a topic, hands each to a listener that parses it, and recovers each failure
 * with Spring Kafka's DeadLetterPublishingRecoverer as a listener container would after its retries:
 * Spring Kafka 4 sends it to "<topic>-dlt", same partition, which must exist.
 *
 * Usage: java -cp <classpath> DeadLetters.java <bootstrap> <topic>
 */
public class DeadLetters {
  static final String GROUP_ID = "billing-service";

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: DeadLetters <bootstrap> <topic>");
      System.exit(2);
    }
    String bootstrap = args[0];
    String topic = args[1];
    List<ConsumerRecord<byte[], byte[]>> records = readAll(bootstrap, topic);

    DefaultKafkaProducerFactory<Object, Object> producers = new DefaultKafkaProducerFactory<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        // A missing dead-letter topic should fail the run in seconds, not after the default minute.
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000));
    int failed = 0;
    try {
      DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(new KafkaTemplate<>(producers));
      for (ConsumerRecord<byte[], byte[]> record : records) {
        try {
          onOrder(record.value());
        } catch (IllegalStateException cause) {
          // What a listener container hands its error handler once the listener method has thrown.
          recoverer.accept(record, new ListenerExecutionFailedException(
              "Listener method 'onOrder' threw exception", GROUP_ID, cause));
          failed++;
        }
      }
    } finally {
      producers.destroy();
    }
    System.out.println(failed + " of " + records.size() + " records dead-lettered");
  }

  /** The business code: an order's value is its total in cents, so anything else makes it throw. */
  static void onOrder(byte[] value) {
    String text = new String(value, StandardCharsets.UTF_8);
    try {
      Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalStateException("Order total is not a number", e);
    }
  }

  /** Every record on every partition, up to the end offsets seen at the start; no group, no commits. */
  static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(topic, p.partition()))
          .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.currentTimeMillis() + 30_000;
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }
}
