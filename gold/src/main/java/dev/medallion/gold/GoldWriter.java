package dev.medallion.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;

import dev.medallion.common.config.Expectation;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.table.TableLocations;
import io.delta.tables.DeltaTable;
import java.time.LocalDate;
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
   * existing one the declaration's descriptions where its comments differ.
   */
  void createIfAbsent(GoldTable table) {
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
    String path = tables.of(table.spec());
    DeltaTables.createIfAbsent(
        spark, path, described, new String[0], TABLE_PROPERTIES, table.description());
    DeltaTables.describe(spark, path, table.description(), descriptions);
  }

  /** Recomputes and replaces exactly these units (values of the table grain's silver column). */
  void replaceUnits(GoldTable table, List<Object> units, long silverVersion) {
    if (units.isEmpty()) {
      return;
    }
    TimeGrain grain = (TimeGrain) table.grain();
    String goldPredicate;
    String silverPredicate;
    if (units.size() <= MAX_LISTED_UNITS) {
      String listed = units.stream().map(grain::literal).collect(Collectors.joining(", "));
      goldPredicate = table.unitColumn() + " IN (" + listed + ")";
      silverPredicate = grain.silverColumn() + " IN (" + listed + ")";
    } else {
      List<Object> sorted = sortedUnits(units);
      String min = grain.literal(sorted.get(0));
      String max = grain.literal(sorted.get(sorted.size() - 1));
      goldPredicate = table.unitColumn() + " BETWEEN " + min + " AND " + max;
      silverPredicate = grain.silverColumn() + " BETWEEN " + min + " AND " + max;
    }
    Dataset<Row> slice =
        silver(silverVersion).where(silverPredicate + " AND " + datePruning(grain, units));
    write(table, GoldTransforms.aggregate(table, slice), goldPredicate);
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
          DeltaTable.forPath(spark, tables.of(table.spec()))
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

  /** Rebuilds the whole table from silver as of {@code silverVersion}. */
  void rebuild(GoldTable table, long silverVersion) {
    write(table, GoldTransforms.aggregate(table, silver(silverVersion)), null);
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
          writer.save(tables.of(table.spec()));
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
            throw e.failed(found.getLong(i), "a write");
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

  /** A predicate on silver's partition column, so only the touched days are read. */
  private static String datePruning(TimeGrain grain, List<Object> units) {
    if (grain == TimeGrain.DAY) {
      return "TRUE"; // the unit predicate is on event_date itself
    }
    List<LocalDate> dates = units.stream().map(TimeGrain::day).distinct().sorted().toList();
    if (units.size() > MAX_LISTED_UNITS) {
      return "event_date BETWEEN "
          + TimeGrain.DAY.literal(dates.get(0))
          + " AND "
          + TimeGrain.DAY.literal(dates.get(dates.size() - 1));
    }
    return "event_date IN ("
        + dates.stream().map(TimeGrain.DAY::literal).collect(Collectors.joining(", "))
        + ")";
  }

  /** Units of one grain (all Instant or all LocalDate) in time order. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<Object> sortedUnits(List<Object> units) {
    List<Object> sorted = new java.util.ArrayList<>(units);
    sorted.sort((a, b) -> ((Comparable) a).compareTo(b));
    return sorted;
  }
}
