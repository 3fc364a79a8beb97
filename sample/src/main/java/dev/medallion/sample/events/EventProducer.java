package dev.medallion.sample.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Sends generated records to a Kafka topic, idempotently and in order per partition. */
public final class EventProducer implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;

  public EventProducer(String bootstrapServers, String topic) {
    this.topic = topic;
    this.producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, "20",
                ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024),
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
            new ByteArraySerializer(),
            new ByteArraySerializer());
  }

  /** Sends every record of the spec and waits until all are acknowledged. */
  public long send(GeneratorSpec spec) {
    long[] sent = {0};
    AtomicReference<Exception> failure = new AtomicReference<>();
    new EventGenerator(spec)
        .forEach(
            record -> {
              producer.send(
                  new ProducerRecord<>(topic, record.key(), record.value()),
                  (metadata, error) -> {
                    if (error != null) {
                      failure.compareAndSet(null, error);
                    }
                  });
              sent[0]++;
            });
    producer.flush();
    if (failure.get() != null) {
      throw new IllegalStateException(
          "Cannot produce to " + topic + ": " + failure.get().getMessage(), failure.get());
    }
    return sent[0];
  }

  /** Sends the records and returns where each landed, in the same order. */
  public List<RecordMetadata> sendAndLocate(List<GeneratedRecord> records) {
    List<Future<RecordMetadata>> futures = new ArrayList<>(records.size());
    for (GeneratedRecord record : records) {
      futures.add(producer.send(new ProducerRecord<>(topic, record.key(), record.value())));
    }
    producer.flush();
    List<RecordMetadata> located = new ArrayList<>(records.size());
    try {
      for (Future<RecordMetadata> future : futures) {
        located.add(future.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while producing to " + topic, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "Cannot produce to " + topic + ": " + e.getCause().getMessage(), e);
    }
    return located;
  }

  @Override
  public void close() {
    producer.close();
  }
}
