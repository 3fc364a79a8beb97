package dev.medallion.common.config;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every configuration key medallion owns, with its default. Keys under {@value #SPARK_PREFIX}
 * go to Spark as they are, and keys under {@value #KAFKA_CONSUMER_PREFIX} go to the Kafka
 * consumer without the prefix; any other key not listed here is an error.
 */
public final class Settings {
  public static final String SPARK_PREFIX = "spark.";
  public static final String KAFKA_CONSUMER_PREFIX = "kafka.consumer.";

  public static final Setting<String> LAKEHOUSE_ROOT =
      new Setting<>(
          "lakehouse.root",
          "./lakehouse",
          Parsers::nonBlank,
          "a local path or a URI such as s3a://bucket/prefix",
          "Base location of every table and checkpoint.");

  public static final Setting<List<String>> KAFKA_BOOTSTRAP_SERVERS =
      new Setting<>(
          "kafka.bootstrap.servers",
          "",
          Parsers::hostPorts,
          "a comma-separated list of host:port",
          "Kafka brokers bronze reads from (required by bronze).");

  public static final Setting<List<String>> KAFKA_TOPICS =
      new Setting<>(
          "kafka.topics",
          "events",
          Parsers::commaList,
          "a comma-separated list of topic names",
          "Topics bronze reads (ignored when kafka.topic.pattern is set).");

  public static final Setting<String> KAFKA_TOPIC_PATTERN =
      new Setting<>(
          "kafka.topic.pattern",
          "",
          Parsers::regexOrEmpty,
          "a Java regular expression",
          "Subscribe to every topic matching this pattern instead of kafka.topics.");

  public static final Setting<Long> KAFKA_MAX_OFFSETS_PER_TRIGGER =
      new Setting<>(
          "kafka.max.offsets.per.trigger",
          "1000000",
          Parsers::positiveLong,
          "a positive integer",
          "Upper bound of Kafka records per bronze micro-batch (bounds memory).");

  public static final Setting<Integer> KAFKA_MIN_PARTITIONS =
      new Setting<>(
          "kafka.min.partitions",
          "0",
          Parsers::nonNegativeInt,
          "a non-negative integer (0: one Spark task per Kafka partition)",
          "Split Kafka partitions into at least this many Spark tasks.");

  public static final Setting<String> KAFKA_STARTING_OFFSETS =
      new Setting<>(
          "kafka.starting.offsets",
          "earliest",
          raw -> Parsers.oneOf(raw, "earliest", "latest"),
          "earliest or latest",
          "Where a new bronze table starts reading (later runs continue from the checkpoint).");

  public static final Setting<Boolean> KAFKA_FAIL_ON_DATA_LOSS =
      new Setting<>(
          "kafka.fail.on.data.loss",
          "true",
          Parsers::bool,
          "true or false",
          "Stop when offsets bronze has not read yet were deleted by Kafka's retention.");

  private static final List<Setting<?>> ALL =
      List.of(
          LAKEHOUSE_ROOT,
          KAFKA_BOOTSTRAP_SERVERS,
          KAFKA_TOPICS,
          KAFKA_TOPIC_PATTERN,
          KAFKA_MAX_OFFSETS_PER_TRIGGER,
          KAFKA_MIN_PARTITIONS,
          KAFKA_STARTING_OFFSETS,
          KAFKA_FAIL_ON_DATA_LOSS);

  private static final Map<String, Setting<?>> BY_KEY = index(ALL);

  private Settings() {}

  /** Every owned setting by key, sorted. */
  public static Map<String, Setting<?>> byKey() {
    return BY_KEY;
  }

  private static Map<String, Setting<?>> index(List<Setting<?>> settings) {
    Map<String, Setting<?>> byKey = new TreeMap<>();
    settings.forEach(setting -> byKey.put(setting.key(), setting));
    return java.util.Collections.unmodifiableMap(byKey);
  }

  static boolean isPassThrough(String key) {
    return key.startsWith(SPARK_PREFIX) || key.startsWith(KAFKA_CONSUMER_PREFIX);
  }

}
