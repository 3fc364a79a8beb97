package dev.medallion.common.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.spark.LocalSessions;
import dev.medallion.common.table.TableLocations;
import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The anomaly checks' past runs, read from the run ledger on the driver, are the ones a Spark query
 * of the same ledger finds: the layer's successful runs of the command that read records and held
 * nothing back for an anomaly (a held run's shares are not its data's), newest first, with their
 * quarantined records summed and their null rates.
 */
class LedgerTrailingTest {
  private static SparkSession spark;
  private static TableLocations tables;
  private static String path;

  @BeforeAll
  static void start() throws Exception {
    spark = LocalSessions.start();
    tables = new TableLocations(Files.createTempDirectory("ledger-trailing").toString());
    path = tables.ops(RunLedger.NAME);
    DeltaTables.createIfAbsent(spark, path, RunLedger.SCHEMA, new String[] {"layer"}, Map.of());
    // Eleven appends (files per layer each, an OPTIMIZE after the sixth, a checkpoint at the tenth
    // commit), runs of both layers and commands.
    long minute = 60_000;
    int run = 0;
    for (int commit = 0; commit < 11; commit++) {
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < 8; i++, run++) {
        Map<String, Object> row = new HashMap<>();
        row.put("run_id", "r" + run);
        row.put("layer", run % 5 == 0 ? "gold" : "silver");
        row.put("command", run % 7 == 0 ? "pipeline" : "silver");
        row.put("status", run % 6 == 0 ? "FAILED" : "SUCCEEDED");
        // Distinct finish times out of the order of the rows: the newest first is a real sort.
        row.put("finished_at", new Timestamp(1_700_000_000_000L + ((run * 37) % 89) * minute));
        row.put("rows_in", run % 4 == 0 ? 0L : 100L + run);
        Map<String, Long> quarantined = new LinkedHashMap<>();
        if (run % 3 != 0) {
          quarantined.put("PARSE_ERROR", (long) run);
          quarantined.put("MISSING_FIELD", 2L);
        }
        boolean held = run % 10 == 7;
        if (held) {
          // A run held under anomaly.action=quarantine: its valid records in the quarantine too.
          quarantined.put(RunLedger.HELD_BY_ANOMALY, 100L);
        }
        row.put("quarantined", run % 9 == 0 ? null : quarantined);
        row.put(
            "null_rates",
            held ? Map.of() : run % 8 == 1 ? null : Map.of("product_id", run / 100.0));
        rows.add(
            RowFactory.create(
                java.util.Arrays.stream(RunLedger.SCHEMA.fieldNames()).map(row::get).toArray()));
      }
      spark
          .createDataFrame(rows, RunLedger.SCHEMA)
          .write()
          .format("delta")
          .mode("append")
          .save(path);
      if (commit == 5) {
        // Compacted midway: older runs in one file per layer, newer ones in files of their own.
        DeltaTable.forPath(spark, path).optimize().executeCompaction();
      }
    }
    assertThat(Path.of(path, "_delta_log", "00000000000000000010.checkpoint.parquet")).exists();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void readsWhatASparkQueryOfTheLedgerFinds() {
    for (String command : List.of("silver", "pipeline")) {
      for (int runs : new int[] {1, 5, 100}) {
        assertThat(RunLedger.trailing(spark, tables, "silver", command, runs))
            .as("%s, %d runs", command, runs)
            .isEqualTo(expected("silver", command, runs));
      }
    }
    assertThat(RunLedger.trailing(spark, tables, "silver", "silver", 100)).hasSizeGreaterThan(5);
    assertThat(RunLedger.trailing(spark, tables, "bronze", "bronze", 10)).isEmpty();
  }

  @Test
  void heldRunsAreNoBaseline() {
    long held =
        spark
            .read()
            .format("delta")
            .load(path)
            .where(
                "layer = 'silver' AND command = 'silver' AND status = 'SUCCEEDED' AND rows_in > 0"
                    + " AND map_contains_key(quarantined, 'ANOMALY')")
            .count();
    assertThat(held).isPositive();
    assertThat(RunLedger.trailing(spark, tables, "silver", "silver", 100))
        .noneMatch(run -> run.nullRates().isEmpty() && run.quarantined() >= 100);
  }

  @Test
  void aLakehouseWithoutALedgerHasNoPastRuns() throws Exception {
    TableLocations empty = new TableLocations(Files.createTempDirectory("no-ledger").toString());
    assertThat(RunLedger.trailing(spark, empty, "silver", "silver", 10)).isEmpty();
  }

  @Test
  void aLedgerWhoseFilesNameColumnsOtherwiseIsRefused() throws Exception {
    TableLocations mapped = new TableLocations(Files.createTempDirectory("mapped").toString());
    DeltaTables.createIfAbsent(
        spark,
        mapped.ops(RunLedger.NAME),
        RunLedger.SCHEMA,
        new String[] {"layer"},
        Map.of(
            "delta.columnMapping.mode", "name",
            "delta.minReaderVersion", "2",
            "delta.minWriterVersion", "5"));
    assertThatThrownBy(() -> RunLedger.trailing(spark, mapped, "silver", "silver", 10))
        .hasMessageContaining("delta.columnMapping.mode = name")
        .hasMessageContaining(mapped.ops(RunLedger.NAME));
  }

  private static List<RunLedger.PastRun> expected(String layer, String command, int runs) {
    return spark
        .read()
        .format("delta")
        .load(path)
        .where(
            "layer = '"
                + layer
                + "' AND command = '"
                + command
                + "' AND status = 'SUCCEEDED' AND rows_in > 0"
                + " AND NOT coalesce(map_contains_key(quarantined, 'ANOMALY'), false)")
        .orderBy(org.apache.spark.sql.functions.col("finished_at").desc())
        .limit(runs)
        .selectExpr(
            "rows_in",
            "aggregate(coalesce(map_values(quarantined), array()), 0L, (a, x) -> a + x)",
            "coalesce(null_rates, map())")
        .collectAsList()
        .stream()
        .map(
            row -> {
              Map<String, Double> rates = new LinkedHashMap<>();
              row.<String, Double>getJavaMap(2).forEach(rates::put);
              return new RunLedger.PastRun(row.getLong(0), row.getLong(1), rates);
            })
        .toList();
  }
}
