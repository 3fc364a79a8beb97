package dev.medallion.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;

import dev.medallion.common.TableLocations;
import dev.medallion.common.TableSpec;
import dev.medallion.common.config.Expectation;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.error.Errors;
import io.delta.tables.DeltaTable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recomputes time units of gold tables from silver and replaces them in one Delta commit per table
 * ({@code replaceWhere}). Recompute-and-replace is idempotent: a retried or repeated write gives
 * the same table, and exact distinct counts stay exact.
 */
final class GoldWriter {
  /** Gold tables are read by BI tools and non-Spark Delta readers: no exotic table features. */
  static final Map<String, String> TABLE_PROPERTIES =
      Map.of(
          "delta.enableDeletionVectors", "false",
          "delta.logRetentionDuration", "interval 30 days",
          "delta.deletedFileRetentionDuration", "interval 7 days");

  private static final Logger LOG = LoggerFactory.getLogger(GoldWriter.class);

  /** The merge source's marker of a recomputed row, against a key to delete. */
  private static final String PRESENT = "_medallion_present";

  /** Above this many units, a replace covers their whole range instead of listing them. */
  static final int MAX_LISTED_UNITS = 500;

  private final SparkSession spark;
  private final TableLocations tables;
  private final List<Expectation> expectations;
  private final Map<String, Long> broken = new ConcurrentHashMap<>();

  /**
   * @param expectations the operator's expectations on gold tables (warn or fail), judged on the
   *     rows of each write before it commits
   */
  GoldWriter(SparkSession spark, TableLocations tables, List<Expectation> expectations) {
    this.spark = spark;
    this.tables = tables;
    this.expectations = List.copyOf(expectations);
  }

  /** Rows written that broke each expectation, by its qualified name (zero for one that held). */
  Map<String, Long> brokenByExpectation() {
    return new TreeMap<>(broken);
  }

  /**
   * Refuses an expectation that cannot be judged on the table, then creates the table, or gives an
   * existing one the declaration's descriptions where its comments differ; and creates a day
   * table's state tables where absent.
   *
   * @param fillStates whether a state table created now is filled from silver: gold ran before
   *     without it (a lakehouse from before state tables, or a state table lost), so the changes
   *     still to read would not fill it
   */
  void createIfAbsent(GoldTable table, boolean fillStates) {
    Dataset<Row> empty = GoldTransforms.aggregate(table, silver(-1).limit(0));
    on(table)
        .forEach(
            e -> {
              e.checkAgainst(empty);
              broken.putIfAbsent(e.qualifiedName(), 0L);
            });
    Map<String, String> descriptions = table.columnDescriptions();
    StructType described =
        new StructType(
            Arrays.stream(empty.schema().fields())
                .map(f -> f.withComment(descriptions.get(f.name())))
                .toArray(StructField[]::new));
    String path = tables.gold(table.name());
    DeltaTables.createIfAbsent(
        spark, path, described, new String[0], TABLE_PROPERTIES, table.description());
    DeltaTables.describe(spark, path, table.description(), descriptions);
    Map<String, String> keys = new LinkedHashMap<>();
    table.keyColumns().forEach(k -> keys.put(k, descriptions.get(k)));
    table
        .hoursState()
        .ifPresent(
            spec -> {
              Map<String, String> columns = new LinkedHashMap<>();
              columns.put(TimeGrain.HOUR.silverColumn(), "UTC hour of the events counted");
              columns.putAll(keys);
              table.aggregates().stream()
                  .map(GoldColumn::nameOf)
                  .forEach(
                      a -> columns.put(a, a + " in the hour; a day's is the sum of its hours"));
              createState(
                  spec,
                  GoldTransforms.hours(table, silver(-1)),
                  "State of " + table.spec().sqlName() + " kept by gold: its sums per hour",
                  columns,
                  fillStates);
            });
    table
        .pairsState()
        .ifPresent(
            spec -> {
              Map<String, String> columns = new LinkedHashMap<>(keys);
              table
                  .distinct()
                  .columns()
                  .forEach(c -> columns.put(GoldColumn.nameOf(c), "A value counted once per day"));
              createState(
                  spec,
                  GoldTransforms.pairs(table, silver(-1)),
                  "State of "
                      + table.spec().sqlName()
                      + " kept by gold: the distinct values its counts count, per day",
                  columns,
                  fillStates);
            });
  }

  /**
   * Creates a state table where absent, filled from silver when {@code fill}, and gives it its
   * descriptions.
   */
  private void createState(
      TableSpec spec,
      Dataset<Row> rows,
      String description,
      Map<String, String> columns,
      boolean fill) {
    String path = tables.of(spec);
    if (DeltaTables.version(spark, path) == DeltaTables.NO_VERSION) {
      StructType described =
          new StructType(
              Arrays.stream(rows.schema().fields())
                  .map(f -> f.withComment(columns.get(f.name())))
                  .toArray(StructField[]::new));
      DeltaTables.createIfAbsent(
          spark,
          path,
          described,
          spec.partitionBy().toArray(String[]::new),
          TABLE_PROPERTIES,
          description);
      if (fill) {
        LOG.info("gold: filling {} from silver (it was missing)", spec.sqlName());
        rows.write().format("delta").mode("overwrite").save(path);
      }
    }
    DeltaTables.describe(spark, path, description, columns);
  }

  /**
   * Recomputes and replaces the rows of the hours a run touched: an hour table's from silver; a day
   * table's hours state from silver, then its touched days from its state tables.
   *
   * @param hours the touched hours, as {@link java.time.Instant}s
   * @param pairs how a day table's distinct pairs of those hours are written
   */
  void replaceHours(GoldTable table, List<Object> hours, long silverVersion, Pairs pairs) {
    if (hours.isEmpty()) {
      return;
    }
    Dataset<Row> slice =
        silver(silverVersion)
            .where(
                unitPredicate(TimeGrain.HOUR, TimeGrain.HOUR.silverColumn(), hours)
                    + " AND "
                    + datePruning(hours));
    if (table.grain() == TimeGrain.HOUR) {
      write(
          table,
          GoldTransforms.aggregate(table, slice),
          unitPredicate(TimeGrain.HOUR, table.unitColumn(), hours));
      return;
    }
    List<Object> days = hours.stream().map(TimeGrain::day).distinct().map(d -> (Object) d).toList();
    String touchedDays = unitPredicate(TimeGrain.DAY, table.unitColumn(), days);
    String hoursState = tables.of(table.hoursState().orElseThrow());
    GoldTransforms.hours(table, slice)
        .write()
        .format("delta")
        .mode("overwrite")
        .option("replaceWhere", unitPredicate(TimeGrain.HOUR, TimeGrain.HOUR.silverColumn(), hours))
        .save(hoursState);
    Dataset<Row> dayPairs = null;
    if (table.pairsState().isPresent()) {
      String pairsState = tables.of(table.pairsState().get());
      writePairs(table, GoldTransforms.pairs(table, slice), pairsState, touchedDays, pairs);
      dayPairs = spark.read().format("delta").load(pairsState).where(touchedDays);
    }
    Dataset<Row> dayHours = spark.read().format("delta").load(hoursState).where(touchedDays);
    write(table, GoldTransforms.days(table, dayHours, dayPairs), touchedDays);
  }

  /** How a run writes a day table's distinct pairs. */
  enum Pairs {
    /** Adds the pairs not there yet: a run's new rows only add pairs. */
    ADD,
    /** Replaces the touched days' pairs: a backfill recomputes whole days from silver. */
    REPLACE_DAYS
  }

  private void writePairs(
      GoldTable table, Dataset<Row> pairs, String path, String touchedDays, Pairs mode) {
    if (mode == Pairs.REPLACE_DAYS) {
      pairs
          .write()
          .format("delta")
          .mode("overwrite")
          .option("replaceWhere", touchedDays)
          .save(path);
      return;
    }
    // Narrowed to the touched days' partitions, so the merge reads only those.
    String samePair =
        Arrays.stream(pairs.columns())
            .map(c -> "t.`" + c + "` <=> s.`" + c + "`")
            .collect(Collectors.joining(" AND ", "t." + touchedDays + " AND ", ""));
    DeltaTable.forPath(spark, path)
        .as("t")
        .merge(pairs.as("s"), samePair)
        .whenNotMatched()
        .insertAll()
        .execute();
  }

  /**
   * Recomputes the entities (sessions, users) that {@code changes} touch from their whole history
   * in silver as of {@code silverVersion} ({@code -1}: the latest), and merges them in by the
   * table's keys: a key recomputed updates or inserts its row, a key {@code changes} touched that
   * no longer has silver rows (a silver rebuilt without them) is deleted.
   *
   * @param changes silver rows, or silver's change feed, with the grains' columns
   */
  void replaceEntities(GoldTable table, Dataset<Row> changes, long silverVersion) {
    String entity = table.grain().silverColumn();
    List<String> keys = table.keyColumns();
    Dataset<Row> touchedEntities = changes.select(entity).where(col(entity).isNotNull()).distinct();
    Dataset<Row> rows =
        GoldTransforms.aggregate(
            table, silver(silverVersion).join(touchedEntities, entity, "left_semi"));
    Dataset<Row> touchedKeys =
        changes.where(col(entity).isNotNull()).selectExpr(table.groupBy().toArray(String[]::new));
    Dataset<Row> gone = touchedKeys.distinct().join(rows, keys.toArray(String[]::new), "left_anti");
    judged(
        table,
        rows,
        judged -> {
          Dataset<Row> source =
              judged
                  .withColumn(PRESENT, lit(true))
                  .unionByName(gone.withColumn(PRESENT, lit(false)), true);
          Map<String, String> assignments = new LinkedHashMap<>();
          for (String column : judged.columns()) {
            assignments.put("`" + column + "`", "s.`" + column + "`");
          }
          DeltaTable.forPath(spark, tables.gold(table.name()))
              .as("t")
              .merge(
                  source.as("s"),
                  keys.stream()
                      .map(k -> "t.`" + k + "` = s.`" + k + "`")
                      .collect(Collectors.joining(" AND ")))
              .whenMatched("NOT s." + PRESENT)
              .delete()
              .whenMatched()
              .updateExpr(assignments)
              .whenNotMatched("s." + PRESENT)
              .insertExpr(assignments)
              .execute();
        });
  }

  /**
   * Rebuilds the whole table from silver as of {@code silverVersion}; a day table's state tables
   * first, then the table from them.
   */
  void rebuild(GoldTable table, long silverVersion) {
    Dataset<Row> silver = silver(silverVersion);
    if (table.grain() != TimeGrain.DAY) {
      write(table, GoldTransforms.aggregate(table, silver), null);
      return;
    }
    String hoursState = tables.of(table.hoursState().orElseThrow());
    GoldTransforms.hours(table, silver).write().format("delta").mode("overwrite").save(hoursState);
    Dataset<Row> allPairs = null;
    if (table.pairsState().isPresent()) {
      String pairsState = tables.of(table.pairsState().get());
      GoldTransforms.pairs(table, silver)
          .write()
          .format("delta")
          .mode("overwrite")
          .save(pairsState);
      allPairs = spark.read().format("delta").load(pairsState);
    }
    write(
        table,
        GoldTransforms.days(table, spark.read().format("delta").load(hoursState), allPairs),
        null);
  }

  /**
   * Overwrites the table, or the part {@code replaceWhere} selects, with {@code rows}, once they
   * met the table's expectations.
   */
  private void write(GoldTable table, Dataset<Row> rows, String replaceWhere) {
    judged(
        table,
        rows,
        judged -> {
          var writer = judged.write().format("delta").mode("overwrite");
          if (replaceWhere != null) {
            writer = writer.option("replaceWhere", replaceWhere);
          }
          writer.save(tables.gold(table.name()));
        });
  }

  /**
   * Hands {@code rows} to {@code commit} once they met the table's expectations: a broken one whose
   * action is to fail stops before the commit; the others count the rows that break them.
   */
  private void judged(GoldTable table, Dataset<Row> rows, Consumer<Dataset<Row>> commit) {
    List<Expectation> declared = on(table);
    Dataset<Row> judged = declared.isEmpty() ? rows : rows.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      if (!declared.isEmpty()) {
        Column[] counts = declared.stream().map(e -> count_if(e.broken())).toArray(Column[]::new);
        Row found = judged.agg(counts[0], Arrays.copyOfRange(counts, 1, counts.length)).head();
        for (int i = 0; i < declared.size(); i++) {
          Expectation e = declared.get(i);
          if (found.getLong(i) > 0 && e.action() == Expectation.Action.FAIL) {
            throw Errors.expectationFailed(e, found.getLong(i), "a write");
          }
          broken.merge(e.qualifiedName(), found.getLong(i), Long::sum);
        }
      }
      commit.accept(judged);
    } finally {
      if (judged != rows) {
        judged.unpersist();
      }
    }
  }

  private List<Expectation> on(GoldTable table) {
    return expectations.stream().filter(e -> e.table().equals(table.spec().sqlName())).toList();
  }

  /** Silver at a version, or the latest with {@code version < 0}. */
  Dataset<Row> silver(long version) {
    var reader = spark.read().format("delta");
    if (version >= 0) {
      reader = reader.option("versionAsOf", version);
    }
    return reader.load(tables.silverEvents());
  }

  /**
   * A predicate selecting these units in {@code column}: the list, or above {@link
   * #MAX_LISTED_UNITS} their whole range.
   */
  private static String unitPredicate(TimeGrain grain, String column, List<Object> units) {
    if (units.size() <= MAX_LISTED_UNITS) {
      return column
          + " IN ("
          + units.stream().map(grain::literal).collect(Collectors.joining(", "))
          + ")";
    }
    List<Object> sorted = sortedUnits(units);
    return column
        + " BETWEEN "
        + grain.literal(sorted.get(0))
        + " AND "
        + grain.literal(sorted.get(sorted.size() - 1));
  }

  /** A predicate on silver's partition column, so only the days of these hours are read. */
  private static String datePruning(List<Object> hours) {
    List<Object> dates =
        hours.stream().map(TimeGrain::day).distinct().map(d -> (Object) d).toList();
    return unitPredicate(TimeGrain.DAY, TimeGrain.DAY.silverColumn(), dates);
  }

  /** Units of one grain (all Instant or all LocalDate) in time order. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<Object> sortedUnits(List<Object> units) {
    List<Object> sorted = new java.util.ArrayList<>(units);
    sorted.sort((a, b) -> ((Comparable) a).compareTo(b));
    return sorted;
  }
}
