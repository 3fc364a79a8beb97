package dev.medallion.common.delta;

import io.delta.tables.DeltaTable;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.types.StructType;

/** Small Delta helpers every layer uses: create a table once, and read its version. */
public final class DeltaTables {
  /** The version of a table that does not exist yet. */
  public static final long NO_VERSION = -1;

  private static final String FIRST_COMMIT = "_delta_log/00000000000000000000.json";

  private DeltaTables() {}

  /**
   * Creates the table at {@code path} with its schema, partitioning and properties unless a
   * Delta table is already there; an existing table is left as it is.
   */
  public static void createIfAbsent(
      SparkSession spark,
      String path,
      StructType schema,
      String[] partitionColumns,
      Map<String, String> properties) {
    if (DeltaTable.isDeltaTable(spark, path)) {
      return;
    }
    var builder =
        DeltaTable.createIfNotExists(spark).location(path).addColumns(schema).partitionedBy(partitionColumns);
    for (Map.Entry<String, String> property : properties.entrySet()) {
      builder = builder.property(property.getKey(), property.getValue());
    }
    builder.execute();
  }

  /** Deletes a table or checkpoint directory and everything under it (any Hadoop file system). */
  public static void deleteLocation(SparkSession spark, String location) {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(location);
    try {
      path.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(path, true);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot delete " + location, e);
    }
  }

  /**
   * The latest committed version, or {@link #NO_VERSION} when there is no table. Read from the
   * log's listing on the driver: no Spark job, unlike {@code DeltaTable.history(1)}.
   */
  public static long version(SparkSession spark, String path) {
    long version = DeltaLog.forTableWithSnapshot(spark, path)._2().version();
    return version < 0 ? NO_VERSION : version;
  }

  /**
   * Options that make a new streaming read of the table start at its first commit instead of a
   * snapshot: the same rows, but a restart after the first batch then replays commit files
   * instead of rebuilding and sorting the snapshot's file list (seconds per run on a large
   * table). Empty when the log no longer holds commit 0; Spark ignores the option once the
   * query has a checkpoint.
   */
  public static Map<String, String> readFromFirstCommit(SparkSession spark, String path) {
    org.apache.hadoop.fs.Path first = new org.apache.hadoop.fs.Path(path, FIRST_COMMIT);
    try {
      if (first.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(first)) {
        return Map.of("startingVersion", "0");
      }
      return Map.of();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot read the Delta log of " + path, e);
    }
  }

  /** Rows written by commits after {@code sinceVersion}, from Delta's own commit metrics. */
  public static long rowsWrittenSince(SparkSession spark, String path, long sinceVersion) {
    if (!DeltaTable.isDeltaTable(spark, path)) {
      return 0;
    }
    Row sum =
        DeltaTable.forPath(spark, path)
            .history()
            .where("version > " + sinceVersion)
            .selectExpr("coalesce(sum(cast(operationMetrics['numOutputRows'] as bigint)), 0)")
            .head();
    return sum.getLong(0);
  }
}
