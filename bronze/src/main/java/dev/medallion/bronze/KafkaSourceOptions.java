package dev.medallion.bronze;

import dev.medallion.common.config.ConfigLoader;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Translates medallion's Kafka settings into options of Spark's Kafka source. */
final class KafkaSourceOptions {
  private KafkaSourceOptions() {}

  static Map<String, String> from(MedallionConfig config) {
    List<String> servers = config.get(Settings.KAFKA_BOOTSTRAP_SERVERS);
    if (servers.isEmpty()) {
      throw ConfigLoader.missing(Settings.KAFKA_BOOTSTRAP_SERVERS.key(), "bronze reads from Kafka");
    }
    Map<String, String> options = new LinkedHashMap<>();
    // Consumer properties first, so our own keys below cannot be overridden by them.
    config.kafkaConsumerProperties().forEach((name, value) -> options.put("kafka." + name, value));
    options.put("kafka.bootstrap.servers", String.join(",", servers));
    String pattern = config.get(Settings.KAFKA_TOPIC_PATTERN);
    if (pattern.isEmpty()) {
      List<String> topics = config.get(Settings.KAFKA_TOPICS);
      if (topics.isEmpty()) {
        throw ConfigLoader.missing(Settings.KAFKA_TOPICS.key(), "bronze needs topics to read");
      }
      options.put("subscribe", String.join(",", topics));
    } else {
      options.put("subscribePattern", pattern);
    }
    options.put("startingOffsets", config.get(Settings.KAFKA_STARTING_OFFSETS));
    options.put("failOnDataLoss", String.valueOf(config.get(Settings.KAFKA_FAIL_ON_DATA_LOSS)));
    options.put(
        "maxOffsetsPerTrigger", String.valueOf(config.get(Settings.KAFKA_MAX_OFFSETS_PER_TRIGGER)));
    int minPartitions = config.get(Settings.KAFKA_MIN_PARTITIONS);
    if (minPartitions > 0) {
      options.put("minPartitions", String.valueOf(minPartitions));
    }
    options.put("includeHeaders", "true");
    return options;
  }
}
