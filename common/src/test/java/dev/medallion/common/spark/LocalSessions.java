package dev.medallion.common.spark;

import dev.medallion.common.config.ConfigLoader;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * The SparkSession of common's own tests: the product's local session on one core (testkit's
 * sessions, which the layers' tests use, depend on common and cannot be used here).
 */
public final class LocalSessions {
  private LocalSessions() {}

  public static SparkSession start() {
    return SparkSessions.create(
        "medallion-common-test",
        ConfigLoader.load(
            Optional.empty(),
            Map.of(),
            List.of(
                "spark.master=local[1]",
                "spark.sql.shuffle.partitions=1",
                "spark.databricks.delta.snapshotPartitions=1")));
  }
}
