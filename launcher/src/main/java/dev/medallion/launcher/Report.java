package dev.medallion.launcher;

import static dev.medallion.common.ledger.LedgerColumn.COMMAND;
import static dev.medallion.common.ledger.LedgerColumn.ERROR;
import static dev.medallion.common.ledger.LedgerColumn.EXPECTATIONS;
import static dev.medallion.common.ledger.LedgerColumn.FINISHED_AT;
import static dev.medallion.common.ledger.LedgerColumn.LAYER;
import static dev.medallion.common.ledger.LedgerColumn.QUARANTINED;
import static dev.medallion.common.ledger.LedgerColumn.ROWS_IN;
import static dev.medallion.common.ledger.LedgerColumn.ROWS_OUT;
import static dev.medallion.common.ledger.LedgerColumn.RUN_ID;
import static dev.medallion.common.ledger.LedgerColumn.SOURCE_VERSIONS;
import static dev.medallion.common.ledger.LedgerColumn.STARTED_AT;
import static dev.medallion.common.ledger.LedgerColumn.STATUS;
import static dev.medallion.common.ledger.LedgerColumn.WARNINGS;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.ledger.RunLedger;
import dev.medallion.common.table.TableLocations;
import dev.medallion.gold.GoldTables;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code bin/medallion report}: one self-contained HTML page (no network, no files beside it) an
 * operator can open or mail: per layer the recent runs with their duration, rows and quarantine by
 * reason, each run's backlog and the gap since the layer's previous run (lag and freshness over
 * time), expectation results, the tables' status now, and gold's hourly revenue. The data is
 * embedded as JSON and drawn by the page's own script, so the page is the data.
 */
final class Report {
  /** Runs per layer the page shows. */
  static final int RUNS_PER_LAYER = 50;

  /** Hours of gold revenue the chart shows (the latest ones that have data). */
  static final int REVENUE_HOURS = 168;

  private static final String TEMPLATE = "/report.html";
  private static final String DATA_MARK = "/*MEDALLION_REPORT_DATA*/";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Report() {}

  /** The page, from the lakehouse's ledger and tables as they are now. */
  static String html(SparkSession spark, MedallionConfig config, Instant now) {
    TableLocations tables = config.tables();
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("generatedAt", now.toString());
    data.put("root", config.lakehouseRoot());
    data.put("runs", runs(spark, tables));
    data.put("status", status(spark, config, now));
    data.put("revenue", hourlyRevenue(spark, tables));
    String json;
    try {
      // Inside a <script> element: "</" must not close it, whatever a run's error line holds.
      json = JSON.writeValueAsString(data).replace("</", "<\\/");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the report's data as JSON", e);
    }
    return template().replace(DATA_MARK, json);
  }

  /** The ledger's latest runs of each layer, oldest first. */
  private static List<Map<String, Object>> runs(SparkSession spark, TableLocations tables) {
    Optional<Dataset<Row>> ledger = RunLedger.read(spark, tables);
    if (ledger.isEmpty()) {
      return List.of();
    }
    List<Row> rows =
        ledger
            .get()
            .selectExpr(
                "*",
                "row_number() OVER (PARTITION BY "
                    + LAYER.column()
                    + " ORDER BY "
                    + STARTED_AT.column()
                    + " DESC) AS _recent")
            .where(col("_recent").leq(RUNS_PER_LAYER))
            .orderBy(STARTED_AT.column())
            .collectAsList();
    List<Map<String, Object>> runs = new ArrayList<>();
    for (Row row : rows) {
      Map<String, Object> run = new LinkedHashMap<>();
      run.put("runId", row.<String>getAs(RUN_ID.column()));
      run.put("layer", row.<String>getAs(LAYER.column()));
      run.put("command", row.<String>getAs(COMMAND.column()));
      run.put("startedAt", instant(row.getAs(STARTED_AT.column())));
      run.put("finishedAt", instant(row.getAs(FINISHED_AT.column())));
      run.put("status", row.<String>getAs(STATUS.column()));
      run.put("error", row.<String>getAs(ERROR.column()));
      run.put("rowsIn", row.getAs(ROWS_IN.column()));
      run.put("rowsOut", row.getAs(ROWS_OUT.column()));
      run.put("quarantined", map(row, QUARANTINED.column()));
      run.put("expectations", map(row, EXPECTATIONS.column()));
      int warnings = row.fieldIndex(WARNINGS.column());
      run.put("warnings", row.isNullAt(warnings) ? List.of() : row.getList(warnings));
      run.put("backlog", backlog(row));
      runs.add(run);
    }
    return runs;
  }

  /**
   * How far behind the layer was when the run began: the Kafka records bronze read, or the upstream
   * versions silver and gold read.
   */
  private static Long backlog(Row row) {
    List<Row> sources =
        row.isNullAt(row.fieldIndex(SOURCE_VERSIONS.column()))
            ? List.of()
            : row.getList(row.fieldIndex(SOURCE_VERSIONS.column()));
    if (!sources.isEmpty()) {
      Row source = sources.get(0);
      if (source.isNullAt(source.fieldIndex("from_version"))) {
        return null;
      }
      return Math.max(0, source.<Long>getAs("to_version") - source.<Long>getAs("from_version") + 1);
    }
    return row.<String>getAs(LAYER.column()).equals("bronze") ? row.getAs(ROWS_IN.column()) : null;
  }

  private static List<Map<String, Object>> status(
      SparkSession spark, MedallionConfig config, Instant now) {
    List<Map<String, Object>> tables = new ArrayList<>();
    for (Status.TableStatus table : Status.measure(spark, config, now).tables()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("table", table.table());
      entry.put("version", table.version());
      entry.put("rows", table.rows());
      entry.put("lastSuccess", table.lastSuccess() == null ? null : table.lastSuccess().toString());
      entry.put("lag", table.lag());
      entry.put("unit", table.unit() == null ? null : table.unit().name().toLowerCase(Locale.ROOT));
      entry.put("note", table.note());
      tables.add(entry);
    }
    return tables;
  }

  /** Gold's total revenue per hour over its latest {@value #REVENUE_HOURS} hours with data. */
  private static List<Map<String, Object>> hourlyRevenue(
      SparkSession spark, TableLocations tables) {
    String path = tables.of(GoldTables.bundled("hourly_revenue").spec());
    if (DeltaTables.version(spark, path) == DeltaTables.NO_VERSION) {
      return List.of();
    }
    List<Row> rows =
        spark
            .read()
            .format("delta")
            .load(path)
            .groupBy("window_start")
            .agg(sum("total_revenue").as("revenue"), sum("event_count").as("events"))
            .orderBy(col("window_start").desc())
            .limit(REVENUE_HOURS)
            .selectExpr("unix_millis(window_start)", "CAST(revenue AS DOUBLE)", "events")
            .collectAsList();
    Map<Long, Map<String, Object>> byHour = new TreeMap<>();
    for (Row row : rows) {
      Map<String, Object> hour = new LinkedHashMap<>();
      hour.put("hour", Instant.ofEpochMilli(row.getLong(0)).toString());
      hour.put("revenue", row.isNullAt(1) ? 0.0 : row.getDouble(1));
      hour.put("events", row.getLong(2));
      byHour.put(row.getLong(0), hour);
    }
    return new ArrayList<>(byHour.values());
  }

  private static String instant(Object timestamp) {
    return timestamp == null ? null : ((Timestamp) timestamp).toInstant().toString();
  }

  private static Map<String, Object> map(Row row, String field) {
    int index = row.fieldIndex(field);
    if (row.isNullAt(index)) {
      return Map.of();
    }
    Map<String, Object> copy = new TreeMap<>();
    row.<String, Object>getJavaMap(index).forEach(copy::put);
    return copy;
  }

  private static String template() {
    try (InputStream in = Report.class.getResourceAsStream(TEMPLATE)) {
      if (in == null) {
        throw new IllegalStateException("The report template " + TEMPLATE + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the report template", e);
    }
  }
}
