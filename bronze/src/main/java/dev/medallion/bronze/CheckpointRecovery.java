package dev.medallion.bronze;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds where bronze stands in Kafka from the bronze table itself, after its checkpoint was
 * lost: bronze keeps every record's topic, partition and offset, so the next offset of each
 * partition is one past the highest it holds, and a partition it never saw starts at its earliest
 * offset. A partition whose log now ends before bronze's position was deleted and recreated: its
 * records in bronze are the old topic's, and the new one is read from its start. The result is the
 * {@code startingOffsets} of a fresh checkpoint.
 */
final class CheckpointRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointRecovery.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Spark's Kafka source reads -2 as "the earliest offset still in Kafka". */
  private static final long EARLIEST = -2;

  private CheckpointRecovery() {}

  /**
   * The starting offsets, as the JSON Spark's Kafka source takes, for every subscribed partition.
   */
  static String startingOffsets(
      SparkSession spark, String bronzeTable, Map<String, String> sourceOptions) {
    Map<String, Map<Integer, Long>> next = new TreeMap<>();
    for (Row row :
        spark
            .read()
            .format("delta")
            .load(bronzeTable)
            .groupBy("topic", "partition")
            .agg(max(col("offset")))
            .collectAsList()) {
      next.computeIfAbsent(row.getString(0), t -> new TreeMap<>())
          .put(row.getInt(1), row.getLong(2) + 1);
    }
    ObjectNode offsets = JSON.createObjectNode();
    KafkaEnds.of(sourceOptions, "to recover bronze's checkpoint")
        .forEach(
            (partition, end) -> {
              long held =
                  next.getOrDefault(partition.topic(), Map.of())
                      .getOrDefault(partition.partition(), EARLIEST);
              if (held > end) {
                LOG.warn(
                    "bronze: {} ends at offset {} but bronze holds it up to {}: the topic was"
                        + " recreated; reading the new one from its start",
                    partition,
                    end,
                    held - 1);
                held = EARLIEST;
              }
              ObjectNode byPartition =
                  offsets.has(partition.topic())
                      ? (ObjectNode) offsets.get(partition.topic())
                      : offsets.putObject(partition.topic());
              byPartition.put(String.valueOf(partition.partition()), held);
            });
    return offsets.toString();
  }
}
