package dev.medallion.launcher;

import static dev.medallion.common.ledger.LedgerColumn.FINISHED_AT;
import static dev.medallion.common.ledger.LedgerColumn.VERSIONS_WRITTEN;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.medallion.bronze.BronzeLag;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.delta.ReaderPosition;
import dev.medallion.common.error.MedallionException;
import dev.medallion.common.ledger.RunLedger;
import dev.medallion.common.table.StreamReader;
import dev.medallion.common.table.TableLocations;
import dev.medallion.common.table.TableSpec;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code bin/medallion status}: per table, its last successful run (from the run ledger), how long
 * ago that was, its rows and how far it is behind its source: Kafka records bronze has not
 * ingested, or upstream table versions silver and gold have not read. The configured thresholds
 * make it a check a scheduler can run.
 */
final class Status {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Where a table's lag is counted in. */
  enum LagUnit {
    RECORDS,
    VERSIONS
  }

  /**
   * One table's state.
   *
   * @param lastSuccess when the last successful run of the table's layer ended, or null
   * @param lag how far behind its source, in {@code unit}; null when it could not be measured
   * @param partitions bronze's lag per Kafka partition
   * @param note why the lag is unknown, or null
   */
  record TableStatus(
      String table,
      String layer,
      long version,
      long rows,
      Instant lastSuccess,
      Long lag,
      LagUnit unit,
      List<BronzeLag.PartitionLag> partitions,
      String note) {}

  /** Every table's state, and the thresholds it breaks. */
  record Report(List<TableStatus> tables, List<String> broken) {
    boolean healthy() {
      return broken.isEmpty();
    }
  }

  private Status() {}

  static Report measure(SparkSession spark, MedallionConfig config, Instant now) {
    TableLocations locations = config.tables();
    Map<String, Instant> lastSuccess = lastSuccessByTable(spark, locations);
    List<TableStatus> tables = new ArrayList<>();
    List<BronzeLag.PartitionLag> kafka = List.of();
    String kafkaNote = null;
    try {
      kafka = BronzeLag.measure(spark, config);
    } catch (MedallionException e) {
      kafkaNote = e.getMessage();
    }
    TableCatalog catalog = TableCatalog.of(config);
    for (TableSpec table : catalog.all()) {
      String path = locations.of(table);
      long version = DeltaTables.version(spark, path);
      long rows =
          version == DeltaTables.NO_VERSION ? 0 : spark.read().format("delta").load(path).count();
      Optional<TableSpec> source = sourceOf(catalog, table);
      Long lag;
      LagUnit unit;
      List<BronzeLag.PartitionLag> partitions = List.of();
      String note = null;
      if (source.isEmpty()) {
        unit = LagUnit.RECORDS;
        partitions = kafka;
        lag =
            kafkaNote == null ? kafka.stream().mapToLong(BronzeLag.PartitionLag::lag).sum() : null;
        note = kafkaNote;
      } else {
        unit = LagUnit.VERSIONS;
        lag = versionsBehind(spark, locations, table.layer(), source.get());
      }
      tables.add(
          new TableStatus(
              table.sqlName(),
              table.layer(),
              version,
              rows,
              lastSuccess.get(table.sqlName()),
              lag,
              unit,
              partitions,
              note));
    }
    return new Report(tables, broken(tables, config, now));
  }

  /** The table a layer's streaming query reads, or empty for bronze (which reads Kafka). */
  private static Optional<TableSpec> sourceOf(TableCatalog catalog, TableSpec table) {
    return catalog.all().stream()
        .filter(
            candidate ->
                candidate.readers().stream()
                    .map(StreamReader::layer)
                    .anyMatch(table.layer()::equals))
        .findFirst();
  }

  /** Versions of {@code source} committed that {@code layer}'s query has not read yet. */
  private static long versionsBehind(
      SparkSession spark, TableLocations locations, String layer, TableSpec source) {
    long latest = DeltaTables.version(spark, locations.of(source));
    if (latest == DeltaTables.NO_VERSION) {
      return 0;
    }
    StreamReader reader =
        source.readers().stream().filter(r -> r.layer().equals(layer)).findFirst().orElseThrow();
    OptionalLong firstUnread =
        ReaderPosition.firstUnreadVersion(spark, locations.checkpoint(reader));
    long first = firstUnread.isPresent() ? firstUnread.getAsLong() : 0;
    return Math.max(0, latest - first + 1);
  }

  /**
   * When each table was last written by a successful run of its layer's job (not maintenance or a
   * replay, which do not bring new data).
   */
  private static Map<String, Instant> lastSuccessByTable(
      SparkSession spark, TableLocations locations) {
    Map<String, Instant> last = new LinkedHashMap<>();
    Optional<Dataset<Row>> runs = RunLedger.succeededLayerRuns(spark, locations);
    if (runs.isEmpty()) {
      return last;
    }
    List<Row> rows =
        runs.get()
            .selectExpr(
                "explode(map_keys(" + VERSIONS_WRITTEN.column() + ")) AS table",
                FINISHED_AT.column())
            .groupBy("table")
            .agg(max(col(FINISHED_AT.column())))
            .collectAsList();
    rows.forEach(row -> last.put(row.getString(0), ((Timestamp) row.get(1)).toInstant()));
    return last;
  }

  private static List<String> broken(
      List<TableStatus> tables, MedallionConfig config, Instant now) {
    long maxAgeMinutes = config.get(Settings.STATUS_MAX_AGE_MINUTES);
    long maxKafkaLag = config.get(Settings.STATUS_MAX_KAFKA_LAG);
    long maxVersionLag = config.get(Settings.STATUS_MAX_VERSION_LAG);
    List<String> broken = new ArrayList<>();
    for (TableStatus table : tables) {
      if (maxAgeMinutes > 0) {
        if (table.lastSuccess() == null) {
          broken.add(table.table() + ": no successful run recorded (status.max.age.minutes)");
        } else if (Duration.between(table.lastSuccess(), now).toMinutes() > maxAgeMinutes) {
          broken.add(
              String.format(
                  "%s: last successful run %s ago, over status.max.age.minutes=%d",
                  table.table(), age(Duration.between(table.lastSuccess(), now)), maxAgeMinutes));
        }
      }
      long limit = table.unit() == LagUnit.RECORDS ? maxKafkaLag : maxVersionLag;
      String key =
          table.unit() == LagUnit.RECORDS ? "status.max.kafka.lag" : "status.max.version.lag";
      if (limit > 0 && table.lag() == null) {
        broken.add(table.table() + ": lag unknown (" + table.note() + ")");
      } else if (limit > 0 && table.lag() > limit) {
        broken.add(
            String.format(
                "%s: %,d %s behind, over %s=%d",
                table.table(), table.lag(), unitName(table.unit()), key, limit));
      }
    }
    return broken;
  }

  /** The report as an aligned table. */
  static String text(Report report, Instant now) {
    StringBuilder text = new StringBuilder();
    String format = "%-28s %8s %12s  %-20s %10s  %s%n";
    text.append(String.format(format, "table", "version", "rows", "last success", "age", "lag"));
    for (TableStatus table : report.tables()) {
      text.append(
          String.format(
              format,
              table.table(),
              table.version() == DeltaTables.NO_VERSION ? "-" : "v" + table.version(),
              String.format(Locale.ROOT, "%,d", table.rows()),
              table.lastSuccess() == null ? "never" : table.lastSuccess().toString(),
              table.lastSuccess() == null ? "-" : age(Duration.between(table.lastSuccess(), now)),
              lag(table)));
    }
    text.append(
        report.healthy() ? "healthy\n" : "UNHEALTHY: " + String.join("; ", report.broken()) + "\n");
    return text.toString();
  }

  /** The report for machines: the same facts, ages in seconds. */
  static String json(Report report, Instant now) {
    List<Map<String, Object>> tables = new ArrayList<>();
    for (TableStatus table : report.tables()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("table", table.table());
      entry.put("layer", table.layer());
      entry.put("version", table.version());
      entry.put("rows", table.rows());
      entry.put(
          "last_success", table.lastSuccess() == null ? null : table.lastSuccess().toString());
      entry.put(
          "age_seconds",
          table.lastSuccess() == null
              ? null
              : Duration.between(table.lastSuccess(), now).toSeconds());
      entry.put("lag", table.lag());
      entry.put("lag_unit", unitName(table.unit()));
      if (table.unit() == LagUnit.RECORDS) {
        List<Map<String, Object>> partitions = new ArrayList<>();
        for (BronzeLag.PartitionLag partition : table.partitions()) {
          Map<String, Object> p = new LinkedHashMap<>();
          p.put("topic", partition.topic());
          p.put("partition", partition.partition());
          p.put("next_offset", partition.next());
          p.put("end_offset", partition.end());
          p.put("lag", partition.lag());
          partitions.add(p);
        }
        entry.put("partitions", partitions);
      }
      if (table.note() != null) {
        entry.put("note", table.note());
      }
      tables.add(entry);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("healthy", report.healthy());
    root.put("broken", report.broken());
    root.put("tables", tables);
    try {
      return JSON.writeValueAsString(root).replace("\r\n", "\n") + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("Cannot write the status as JSON", e);
    }
  }

  private static String lag(TableStatus table) {
    if (table.lag() == null) {
      return "unknown";
    }
    String lag = String.format(Locale.ROOT, "%,d %s", table.lag(), unitName(table.unit()));
    if (table.partitions().size() > 1 && table.lag() > 0) {
      List<String> parts = new ArrayList<>();
      table.partitions().forEach(p -> parts.add(p.topic() + "/" + p.partition() + ": " + p.lag()));
      lag += " (" + String.join(", ", parts) + ")";
    }
    return lag;
  }

  private static String unitName(LagUnit unit) {
    return unit == LagUnit.RECORDS ? "records" : "versions";
  }

  private static String age(Duration age) {
    if (age.toHours() > 0) {
      return age.toHours() + "h " + age.toMinutesPart() + "m";
    }
    return age.toMinutes() > 0
        ? age.toMinutes() + "m " + age.toSecondsPart() + "s"
        : age.toSeconds() + "s";
  }
}
