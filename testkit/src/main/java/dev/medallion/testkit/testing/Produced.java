package dev.medallion.testkit.testing;

import dev.medallion.sample.events.EventProducer;
import dev.medallion.sample.events.GeneratedRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Records a test produced to Kafka, by where they landed ("topic/partition/offset"). */
public final class Produced {
  private Produced() {}

  public static Map<String, GeneratedRecord> produce(
      String bootstrapServers, String topic, List<GeneratedRecord> records) {
    try (EventProducer producer = new EventProducer(bootstrapServers, topic)) {
      List<RecordMetadata> located = producer.sendAndLocate(records);
      Map<String, GeneratedRecord> byCoordinates = new HashMap<>();
      for (int i = 0; i < records.size(); i++) {
        byCoordinates.put(
            coordinates(topic, located.get(i).partition(), located.get(i).offset()),
            records.get(i));
      }
      return byCoordinates;
    }
  }

  public static String coordinates(String topic, int partition, long offset) {
    return topic + "/" + partition + "/" + offset;
  }
}
