package dev.medallion.bronze;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.spark.Checkpoints;
import dev.medallion.common.table.TableLocations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.sql.SparkSession;

/**
 * How far bronze is behind Kafka: for each subscribed partition, the offset bronze reads next (from
 * its checkpoint's last committed micro-batch) against the broker's end offset now.
 */
public final class BronzeLag {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BronzeLag() {}

  /**
   * One partition's position.
   *
   * @param next the offset bronze reads next (the partition's earliest when bronze never read it)
   * @param end the offset Kafka writes next
   */
  public record PartitionLag(String topic, int partition, long next, long end) {
    /** Records in Kafka that bronze has not ingested yet. */
    public long lag() {
      return Math.max(0, end - next);
    }
  }

  /** Every subscribed partition's lag, in topic and partition order; asks the broker. */
  public static List<PartitionLag> measure(SparkSession spark, MedallionConfig config) {
    Map<String, String> options = KafkaSourceOptions.from(config);
    String purpose = "to measure bronze's lag";
    Map<TopicPartition, Long> ends = KafkaEnds.of(options, purpose, OffsetSpec.latest());
    Map<TopicPartition, Long> earliest = KafkaEnds.of(options, purpose, OffsetSpec.earliest());
    JsonNode ingested = ingested(spark, config.tables());
    List<PartitionLag> lags = new ArrayList<>();
    ends.forEach(
        (partition, end) -> {
          JsonNode next =
              ingested.path(partition.topic()).path(String.valueOf(partition.partition()));
          lags.add(
              new PartitionLag(
                  partition.topic(),
                  partition.partition(),
                  next.isNumber() ? next.asLong() : earliest.getOrDefault(partition, 0L),
                  end));
        });
    return lags;
  }

  /** {@code {"topic":{"0":next}}} of bronze's last committed batch, empty when none. */
  private static JsonNode ingested(SparkSession spark, TableLocations tables) {
    Optional<String> offset =
        Checkpoints.committedSourceOffset(
            spark, tables.checkpoint(BronzeJob.LAYER, BronzeJob.TABLE));
    try {
      return offset.isPresent() ? JSON.readTree(offset.get()) : JSON.createObjectNode();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot read bronze's checkpoint offset " + offset.get(), e);
    }
  }
}
