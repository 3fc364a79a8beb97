package dev.medallion.common.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the run ledger keeps of one run beyond its summary line: what it read, from where to where,
 * what it wrote, and where its time went.
 *
 * @param quarantined records sent to the quarantine, by reason code
 * @param duplicates valid records dropped because their event_id was already in silver
 * @param kafkaOffsets the Kafka offsets read, per topic and partition (bronze)
 * @param sourceVersions the versions of upstream tables read (silver, gold)
 * @param versionsWritten each table written, with its version after the run
 * @param batches micro-batches processed
 * @param phaseSeconds seconds spent per phase, in the order they ran
 * @param warnings what the run warned of (each also raised as an alert)
 * @param expectations rows that broke each declared expectation, by its qualified name ({@code
 *     silver.events.revenue_non_negative}); zero for one that held
 * @param nullRates per optional field of silver's events, the share of the run's valid events
 *     without it (what silver's anomaly checks compare runs by)
 */
public record RunFacts(
    Map<String, Long> quarantined,
    long duplicates,
    List<KafkaRange> kafkaOffsets,
    List<SourceRange> sourceVersions,
    Map<String, Long> versionsWritten,
    int batches,
    Map<String, Double> phaseSeconds,
    List<String> warnings,
    Map<String, Long> expectations,
    Map<String, Double> nullRates) {
  /** A run with nothing to tell beyond its summary. */
  public static final RunFacts NONE =
      new RunFacts(Map.of(), 0, List.of(), List.of(), Map.of(), 0, Map.of());

  /** Facts of a run that warned of nothing and had no expectations to meet. */
  public RunFacts(
      Map<String, Long> quarantined,
      long duplicates,
      List<KafkaRange> kafkaOffsets,
      List<SourceRange> sourceVersions,
      Map<String, Long> versionsWritten,
      int batches,
      Map<String, Double> phaseSeconds) {
    this(
        quarantined,
        duplicates,
        kafkaOffsets,
        sourceVersions,
        versionsWritten,
        batches,
        phaseSeconds,
        List.of(),
        Map.of(),
        Map.of());
  }

  public RunFacts {
    quarantined = Map.copyOf(quarantined);
    kafkaOffsets = List.copyOf(kafkaOffsets);
    sourceVersions = List.copyOf(sourceVersions);
    versionsWritten = new LinkedHashMap<>(versionsWritten);
    phaseSeconds = new LinkedHashMap<>(phaseSeconds);
    warnings = List.copyOf(warnings);
    expectations = new LinkedHashMap<>(expectations);
    nullRates = new LinkedHashMap<>(nullRates);
  }

  /**
   * Offsets of one Kafka partition a run read: from {@code startOffset} (inclusive; null when the
   * run's query began at {@code kafka.starting.offsets}) to {@code endOffset} (exclusive).
   */
  public record KafkaRange(String topic, int partition, Long startOffset, long endOffset) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public KafkaRange {
      Objects.requireNonNull(topic, "topic");
    }

    /**
     * The ranges between two offsets of Spark's Kafka source, as its progress reports them ({@code
     * {"topic":{"0":42}}}); {@code start} is not JSON when the query began at the configured
     * starting offsets.
     */
    public static List<KafkaRange> between(String start, String end) {
      if (!end.startsWith("{")) {
        return List.of();
      }
      try {
        JsonNode from = start.startsWith("{") ? JSON.readTree(start) : JSON.createObjectNode();
        List<KafkaRange> ranges = new ArrayList<>();
        JSON.readTree(end)
            .fields()
            .forEachRemaining(
                topic ->
                    topic
                        .getValue()
                        .fields()
                        .forEachRemaining(
                            partition -> {
                              JsonNode first = from.path(topic.getKey()).path(partition.getKey());
                              ranges.add(
                                  new KafkaRange(
                                      topic.getKey(),
                                      Integer.parseInt(partition.getKey()),
                                      first.isNumber() ? first.asLong() : null,
                                      partition.getValue().asLong()));
                            }));
        ranges.sort(
            Comparator.comparing(KafkaRange::topic).thenComparingInt(KafkaRange::partition));
        return ranges;
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("Cannot read Kafka source offsets " + end, e);
      }
    }
  }

  /**
   * Versions of an upstream table a run read: from {@code fromVersion} (null when not known, e.g. a
   * rebuild from the snapshot) up to {@code toVersion}, both inclusive.
   */
  public record SourceRange(String table, Long fromVersion, long toVersion) {
    public SourceRange {
      Objects.requireNonNull(table, "table");
    }
  }
}
