package dev.medallion.launcher;

import static dev.medallion.common.ledger.LedgerColumn.COMMAND;
import static dev.medallion.common.ledger.LedgerColumn.FINISHED_AT;
import static dev.medallion.common.ledger.LedgerColumn.KAFKA_OFFSETS;
import static dev.medallion.common.ledger.LedgerColumn.LAYER;
import static dev.medallion.common.ledger.LedgerColumn.RUN_ID;
import static dev.medallion.common.ledger.LedgerColumn.SOURCE_VERSIONS;
import static dev.medallion.common.ledger.LedgerColumn.VERSIONS_WRITTEN;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.error.Errors;
import dev.medallion.common.ledger.RunLedger;
import dev.medallion.common.table.CoreTables;
import dev.medallion.common.table.SilverColumns;
import dev.medallion.common.table.TableLocations;
import dev.medallion.gold.EntityGrain;
import dev.medallion.gold.GoldTable;
import dev.medallion.gold.GoldTables;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code bin/medallion trace --table gold.<name> --where "..."}: for the gold rows matching, the
 * silver events they aggregate (found from the table's own declaration: its silver filter and
 * grouping), the Kafka records those events came from, and the runs of the run ledger that carried
 * them through each layer: the bronze runs whose offset ranges hold the records, the silver runs
 * that read the bronze versions those runs wrote, the gold runs that read the silver versions those
 * silver runs wrote.
 */
final class Trace {
  private static final String KEY = "_trace_key_";
  private static final StructType RANGES =
      new StructType()
          .add("run_id", DataTypes.StringType)
          .add("topic", DataTypes.StringType)
          .add("partition", DataTypes.IntegerType)
          .add("start_offset", DataTypes.LongType)
          .add("end_offset", DataTypes.LongType);

  /** Records of one Kafka partition behind the traced rows. */
  record PartitionRecords(String topic, int partition, long records, long first, long last) {}

  /**
   * One run that carried the records.
   *
   * @param read what it read: offsets, or upstream versions
   * @param wrote the versions it wrote
   * @param records how many of the traced records it read (bronze runs), or -1
   */
  record Run(
      String layer,
      String runId,
      String command,
      Timestamp finishedAt,
      String read,
      String wrote,
      long records) {}

  record Result(
      String table, long goldRows, long events, List<PartitionRecords> records, List<Run> runs) {}

  private Trace() {}

  static Result run(
      SparkSession spark,
      GoldTables goldTables,
      TableLocations locations,
      String table,
      String where) {
    GoldTable gold =
        goldTables.all().stream()
            .filter(t -> t.spec().sqlName().equals(table))
            .findFirst()
            .orElseThrow(
                () ->
                    Errors.usage(
                        "Cannot trace '"
                            + table
                            + "': trace follows gold tables back to Kafka; gold tables: "
                            + String.join(
                                ", ",
                                goldTables.all().stream().map(t -> t.spec().sqlName()).toList())));
    String path = locations.of(gold.spec());
    if (DeltaTables.version(spark, path) == DeltaTables.NO_VERSION) {
      throw Errors.usage("Cannot trace " + table + ": there is no table at " + path);
    }
    Dataset<Row> rows = spark.read().format("delta").load(path).where(expr(where));
    List<String> keys = gold.keyColumns();
    Dataset<Row> goldKeys =
        rows.select(keys.stream().map(key -> col(key)).toArray(Column[]::new)).distinct();

    Dataset<Row> silver = spark.read().format("delta").load(locations.silverEvents());
    if (!gold.silverFilter().isBlank()) {
      silver = silver.where(expr(gold.silverFilter()));
    }
    List<Column> silverColumns = new ArrayList<>();
    silverColumns.add(col(SilverColumns.SOURCE_TOPIC).as("topic"));
    silverColumns.add(col(SilverColumns.SOURCE_PARTITION).as("partition"));
    silverColumns.add(col(SilverColumns.SOURCE_OFFSET).as("offset"));
    for (int i = 0; i < keys.size(); i++) {
      silverColumns.add(expr(expression(gold.groupBy().get(i))).as(KEY + keys.get(i)));
    }
    Column matches = null;
    for (int i = 0; i < keys.size(); i++) {
      Column silverKey = col("s." + KEY + keys.get(i));
      Column goldKey = col("g." + keys.get(i));
      // An entity's row is made of its history: every event up to its other keys (a user's
      // features as of a day come from the user's events up to that day).
      Column match =
          gold.grain() instanceof EntityGrain && i > 0
              ? silverKey.leq(goldKey)
              : silverKey.eqNullSafe(goldKey);
      matches = matches == null ? match : matches.and(match);
    }
    Dataset<Row> records =
        silver
            .select(silverColumns.toArray(Column[]::new))
            .as("s")
            .join(goldKeys.as("g"), matches, "left_semi")
            .select("topic", "partition", "offset")
            .cache();
    try {
      List<PartitionRecords> partitions =
          records
              .groupBy("topic", "partition")
              .agg(count("*"), min("offset"), max("offset"))
              .orderBy("topic", "partition")
              .collectAsList()
              .stream()
              .map(
                  r ->
                      new PartitionRecords(
                          r.getString(0), r.getInt(1), r.getLong(2), r.getLong(3), r.getLong(4)))
              .toList();
      long events = partitions.stream().mapToLong(PartitionRecords::records).sum();
      return new Result(
          table, rows.count(), events, partitions, runs(spark, locations, gold, records));
    } finally {
      records.unpersist();
    }
  }

  /** The ledger's runs that carried {@code records}, bronze first. */
  private static List<Run> runs(
      SparkSession spark, TableLocations locations, GoldTable gold, Dataset<Row> records) {
    Optional<Dataset<Row>> ledger = RunLedger.succeededLayerRuns(spark, locations);
    if (ledger.isEmpty()) {
      return List.of();
    }
    List<Row> succeeded = ledger.get().orderBy(FINISHED_AT.column()).collectAsList();
    String bronzeTable = CoreTables.BRONZE_EVENTS.sqlName();
    String silverTable = CoreTables.SILVER_EVENTS.sqlName();
    String goldTable = gold.spec().sqlName();

    // Bronze runs whose offset ranges hold the records, with how many of them each read.
    List<Row> ranges = new ArrayList<>();
    for (Row run : layer(succeeded, CoreTables.BRONZE)) {
      for (Row range : run.<Row>getList(run.fieldIndex(KAFKA_OFFSETS.column()))) {
        ranges.add(
            RowFactory.create(
                run.getAs(RUN_ID.column()),
                range.getAs("topic"),
                range.getAs("partition"),
                range.isNullAt(range.fieldIndex("start_offset"))
                    ? 0L
                    : range.<Long>getAs("start_offset"),
                range.getAs("end_offset")));
      }
    }
    Map<String, Long> recordsByRun = new HashMap<>();
    if (!ranges.isEmpty()) {
      Dataset<Row> byRange = spark.createDataFrame(ranges, RANGES).as("r");
      records
          .as("t")
          .join(
              org.apache.spark.sql.functions.broadcast(byRange),
              col("t.topic")
                  .equalTo(col("r.topic"))
                  .and(col("t.partition").equalTo(col("r.partition")))
                  .and(col("t.offset").geq(col("r.start_offset")))
                  .and(col("t.offset").lt(col("r.end_offset"))))
          .groupBy("r.run_id")
          .count()
          .collectAsList()
          .forEach(r -> recordsByRun.put(r.getString(0), r.getLong(1)));
    }

    List<Run> runs = new ArrayList<>();
    List<long[]> bronzeVersions = new ArrayList<>();
    long previous = -1;
    for (Row run : layer(succeeded, CoreTables.BRONZE)) {
      long written = written(run, bronzeTable);
      if (recordsByRun.containsKey(run.<String>getAs(RUN_ID.column()))) {
        bronzeVersions.add(new long[] {previous + 1, written});
        runs.add(
            describe(
                run,
                offsets(run),
                bronzeTable + " v" + written,
                recordsByRun.get(run.<String>getAs(RUN_ID.column()))));
      }
      previous = written;
    }
    List<long[]> silverVersions = new ArrayList<>();
    previous = -1;
    for (Row run : layer(succeeded, CoreTables.SILVER)) {
      long written = written(run, silverTable);
      long[] read = sourceRange(run, bronzeTable);
      if (read != null && overlaps(read, bronzeVersions)) {
        silverVersions.add(new long[] {previous + 1, written});
        runs.add(
            describe(
                run,
                bronzeTable + " v" + read[0] + "..v" + read[1],
                silverTable + " v" + written,
                -1));
      }
      previous = written;
    }
    for (Row run : layer(succeeded, CoreTables.GOLD)) {
      long[] read = sourceRange(run, silverTable);
      if (read != null && overlaps(read, silverVersions)) {
        runs.add(
            describe(
                run,
                silverTable + " v" + read[0] + "..v" + read[1],
                goldTable + " v" + written(run, goldTable),
                -1));
      }
    }
    return runs;
  }

  private static List<Row> layer(List<Row> runs, String layer) {
    return runs.stream().filter(r -> layer.equals(r.getAs(LAYER.column()))).toList();
  }

  private static long written(Row run, String table) {
    Map<Object, Object> versions = run.getJavaMap(run.fieldIndex(VERSIONS_WRITTEN.column()));
    Object version = versions.get(table);
    return version == null ? -1 : (Long) version;
  }

  /** {from, to} of the upstream table a run read, or null when it recorded none. */
  private static long[] sourceRange(Row run, String table) {
    for (Row source : run.<Row>getList(run.fieldIndex(SOURCE_VERSIONS.column()))) {
      if (table.equals(source.getAs("table"))) {
        long from =
            source.isNullAt(source.fieldIndex("from_version"))
                ? 0
                : source.<Long>getAs("from_version");
        return new long[] {from, source.<Long>getAs("to_version")};
      }
    }
    return null;
  }

  private static boolean overlaps(long[] read, List<long[]> written) {
    return written.stream().anyMatch(w -> read[0] <= w[1] && w[0] <= read[1]);
  }

  private static String offsets(Row run) {
    List<String> ranges = new ArrayList<>();
    for (Row range : run.<Row>getList(run.fieldIndex(KAFKA_OFFSETS.column()))) {
      ranges.add(
          String.format(
              "%s/%s [%s, %s)",
              range.getAs("topic"),
              range.getAs("partition"),
              range.isNullAt(range.fieldIndex("start_offset"))
                  ? "start"
                  : range.getAs("start_offset"),
              range.getAs("end_offset")));
    }
    return String.join(", ", ranges);
  }

  private static Run describe(Row run, String read, String wrote, long records) {
    return new Run(
        run.getAs(LAYER.column()),
        run.getAs(RUN_ID.column()),
        run.getAs(COMMAND.column()),
        run.getAs(FINISHED_AT.column()),
        read,
        wrote,
        records);
  }

  private static String expression(String grouping) {
    int as = grouping.toUpperCase(Locale.ROOT).lastIndexOf(" AS ");
    return grouping.substring(0, as).trim();
  }

  /** The result as an operator reads it. */
  static String text(Result result, String where) {
    StringBuilder text = new StringBuilder();
    text.append(
        String.format(
            Locale.ROOT,
            "%s WHERE %s: %,d row(s), from %,d silver event(s)%n",
            result.table(),
            where,
            result.goldRows(),
            result.events()));
    text.append(String.format("%nKafka records behind them:%n"));
    text.append(String.format("  %-28s %10s  %s%n", "topic/partition", "records", "offsets"));
    for (PartitionRecords p : result.records()) {
      text.append(
          String.format(
              Locale.ROOT,
              "  %-28s %,10d  %d .. %d%n",
              p.topic() + "/" + p.partition(),
              p.records(),
              p.first(),
              p.last()));
    }
    text.append(String.format("%nRuns that carried them (ops.runs):%n"));
    List<Run> runs = new ArrayList<>(result.runs());
    runs.sort(Comparator.comparing(Run::finishedAt));
    for (Run run : runs) {
      text.append(
          String.format(
              "  %-6s %s  %s  %-22s read %s -> wrote %s%s%n",
              run.layer(),
              run.runId().substring(0, 8),
              run.finishedAt().toInstant(),
              run.command(),
              run.read(),
              run.wrote(),
              run.records() < 0
                  ? ""
                  : String.format(Locale.ROOT, " (%,d of them)", run.records())));
    }
    return text.toString();
  }
}
