package dev.medallion.common.delta;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.common.spark.LocalSessions;
import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.util.List;
import java.util.OptionalLong;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layers' commit metrics (rows appended, rows written, the first commit that changes rows),
 * read from the log's files on the driver, agree with Delta's own history of the same table.
 */
class CommitMetricsTest {
  private static final List<String> SAME_ROWS =
      List.of("OPTIMIZE", "VACUUM START", "VACUUM END", "SET TBLPROPERTIES", "CHANGE COLUMN");

  private static SparkSession spark;
  private static String table;

  @BeforeAll
  static void start() throws Exception {
    spark = LocalSessions.start();
    table = Files.createTempDirectory("commit-metrics").resolve("t").toString();
    spark.range(3).write().format("delta").save(table); // v0 WRITE 3
    spark.range(3, 5).write().format("delta").mode("append").save(table); // v1 WRITE 2
    DeltaTable.forPath(spark, table).optimize().executeCompaction(); // v2 OPTIMIZE
    spark.sql("ALTER TABLE delta.`" + table + "` SET TBLPROPERTIES ('x' = '1')"); // v3
    DeltaTable.forPath(spark, table) // v4 MERGE, 3 inserted
        .as("t")
        .merge(spark.range(2, 8).toDF().as("s"), "t.id = s.id")
        .whenNotMatched()
        .insertAll()
        .execute();
    spark.sql("ALTER TABLE delta.`" + table + "` SET TBLPROPERTIES ('y' = '2')"); // v5
    String source = table + "-source";
    spark.range(8, 10).write().format("delta").save(source);
    spark
        .readStream()
        .format("delta")
        .load(source)
        .writeStream()
        .format("delta")
        .option("checkpointLocation", table + "-checkpoint")
        .trigger(Trigger.AvailableNow())
        .start(table)
        .awaitTermination(); // v6 STREAMING UPDATE 2
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void rowsAppendedAgreeWithTheHistory() {
    for (long from = 0; from <= 6; from++) {
      for (long to = from - 1; to <= 7; to++) {
        assertThat(DeltaTables.rowsAppended(spark, table, from, to))
            .as("v%d..v%d", from, to)
            .isEqualTo(
                historySum(
                    "version BETWEEN "
                        + from
                        + " AND "
                        + to
                        + " AND operation IN ('WRITE', 'STREAMING UPDATE')"));
      }
    }
    assertThat(DeltaTables.rowsAppended(spark, table, 0, 6)).isEqualTo(7);
  }

  @Test
  void rowsWrittenAgreeWithTheHistory() {
    for (long since = -1; since <= 7; since++) {
      assertThat(DeltaTables.rowsWrittenSince(spark, table, since))
          .as("after v%d", since)
          .isEqualTo(historySum("version > " + since));
    }
    assertThat(DeltaTables.rowsWrittenSince(spark, table, 1)).isEqualTo(3 + 2);
    assertThat(DeltaTables.rowsWrittenSince(spark, table + "-absent", -1)).isZero();
  }

  @Test
  void firstDataChangeAgreesWithTheHistory() {
    List<Long> changes =
        DeltaTable.forPath(spark, table).history().collectAsList().stream()
            .filter(row -> !SAME_ROWS.contains(row.<String>getAs("operation")))
            .map(row -> row.<Long>getAs("version"))
            .sorted()
            .toList();
    assertThat(changes).containsExactly(0L, 1L, 4L, 6L);
    for (long from = 0; from <= 7; from++) {
      long start = from;
      OptionalLong expected =
          changes.stream().filter(v -> v >= start).mapToLong(Long::longValue).findFirst();
      assertThat(DeltaTables.firstDataChange(spark, table, from))
          .as("from v%d", from)
          .isEqualTo(expected);
    }
  }

  private static long historySum(String where) {
    Row sum =
        DeltaTable.forPath(spark, table)
            .history()
            .where(where)
            .selectExpr("coalesce(sum(CAST(operationMetrics['numOutputRows'] AS BIGINT)), 0)")
            .head();
    return sum.getLong(0);
  }
}
