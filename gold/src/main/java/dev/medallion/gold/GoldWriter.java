package dev.medallion.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.unix_date;

import dev.medallion.common.config.Expectation;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.table.TableLocations;
import io.delta.tables.DeltaTable;
import java.time.LocalDate;
import java.util.Arrays;
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
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recomputes time units of gold tables from silver and replaces them in one Delta commit per table
 * ({@code replaceWhere}). Recompute-and-replace is idempotent: a retried or repeated write gives
 * the same table, and exact distinct counts stay exact.
 */
final class GoldWriter {
  private static final Logger LOG = LoggerFactory.getLogger(GoldWriter.class);

  /** Gold tables are read by BI tools and non-Spark Delta readers: no exotic table features. */
  static final Map<String, String> TABLE_PROPERTIES =
      Map.of(
          "delta.enableDeletionVectors", "false",
          "delta.logRetentionDuration", "interval 30 days",
          "delta.deletedFileRetentionDuration", "interval 7 days");

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
   * The table's rows over silver's schema and no row, once its SQL is checked ({@link
   * GoldTableCheck}): what {@link #createIfAbsent} creates the table from.
   */
  Dataset<Row> checked(GoldTable table) {
    return GoldTableCheck.checked(table, silver(-1).limit(0));
  }

  /**
   * Refuses an expectation that cannot be judged on the table, then creates the table from its
   * {@link #checked} rows, or gives an existing one the declaration's descriptions where its
   * comments differ.
   */
  void createIfAbsent(GoldTable table, Dataset<Row> empty) {
    on(table)
        .forEach(
            e -> {
              e.checkAgainst(empty);
              broken.putIfAbsent(e.qualifiedName(), 0L);
            });
    Map<String, String> descriptions = table.columnDescriptions();
    StructType described = DeltaTables.withComments(empty.schema(), descriptions);
    for (String day : table.partitionBy()) {
      if (!empty.schema().apply(day).dataType().equals(DataTypes.DateType)) {
        throw new IllegalArgumentException(
            "Cannot partition gold table "
                + table.name()
                + " by "
                + day
                + ": a partition key must be a DATE, and it is "
                + empty.schema().apply(day).dataType().sql());
      }
    }
    String path = tables.of(table.spec());
    DeltaTables.createIfAbsent(
        spark,
        path,
        described,
        table.partitionBy().toArray(String[]::new),
        TABLE_PROPERTIES,
        table.description());
    DeltaTables.describe(spark, path, table.description(), descriptions);
    if (table.grain() instanceof EntityGrain) {
      createStateIfAbsent(table);
    }
  }

  /**
   * Creates an entity table's state; a table that has rows but no state (a lakehouse from before
   * states, or a state deleted) gets its state built from silver's latest version, in the commit
   * that creates it: state as of any version is exact, since a key's later changes are added and
   * its earlier ones not again.
   */
  private void createStateIfAbsent(GoldTable table) {
    EntityState state = state(table);
    StructType schema = EntityState.schema(table, silver(-1));
    EntityState.rollups(table, schema); // refuses an aggregate that does not combine
    if (!state.exists()) {
      if (DeltaTables.holdsNoFiles(spark, tables.of(table.spec()))) {
        state.create(schema);
      } else {
        long silverVersion = DeltaTables.version(spark, tables.silverEvents());
        LOG.info("gold: building the state of {} from silver v{}", table.name(), silverVersion);
        state.createFrom(silver(silverVersion), silverVersion);
      }
    }
    state.describe();
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
   * Brings silver's changes {@code changes} (its change feed, with each change's commit version)
   * into an entity table (sessions, users): inserts are added to the touched keys' partial
   * aggregates ({@link EntityState}); a batch with other changes (a row deleted or updated in
   * silver by hand) recomputes its entities from silver as of its last commit, {@code lastVersion}.
   * Then the touched entities' rows are computed from their state and merged in.
   */
  void replaceEntities(
      GoldTable table, Dataset<Row> changes, boolean insertsOnly, long lastVersion) {
    if (!insertsOnly) {
      recomputeEntities(table, changes, lastVersion);
      return;
    }
    EntityState state = state(table);
    if (state.holdsNoRows() && DeltaTables.holdsNoFiles(spark, tables.of(table.spec()))) {
      // The table's first rows: no key has aggregates to combine with, nor rows to merge into.
      write(table, GoldTransforms.finish(table, state.startWith(changes)), null);
      return;
    }
    try {
      Dataset<Row> rows = GoldTransforms.finish(table, state.addInserts(changes));
      Column bound = state.touchedFrom();
      if (!table.partitionBy().isEmpty()) {
        // Only the rows of the days the changes touch and later change: merging those alone lets
        // Delta rewrite those days' files, not the table.
        String day = table.partitionBy().get(0);
        Dataset<Row> first = state.kept(state.firstChangedDays(changes));
        rows =
            rows.join(first, table.unitColumn())
                .where(col(day).geq(col(EntityState.FIRST_DAY)))
                .drop(EntityState.FIRST_DAY);
        Row earliest = first.agg(min(unix_date(col(EntityState.FIRST_DAY)))).head();
        if (earliest.isNullAt(0)) {
          return; // no change of this table's rows (all filtered out)
        }
        bound = col("t.`" + day + "`").geq(lit(LocalDate.ofEpochDay(earliest.getInt(0))));
      }
      mergeEntities(table, state.entitiesOf(changes), rows, false, bound);
    } finally {
      state.release();
    }
  }

  /**
   * Recomputes the entities of {@code touched} (silver rows, or its change feed) from their whole
   * history in silver as of {@code silverVersion}, in the state and in the table: a key whose rows
   * are gone from silver is deleted from both.
   */
  void recomputeEntities(GoldTable table, Dataset<Row> touched, long silverVersion) {
    EntityState state = state(table);
    try {
      mergeEntities(
          table,
          state.entitiesOf(touched),
          GoldTransforms.finish(
              table, state.recompute(touched, silver(silverVersion), silverVersion)),
          true,
          lit(true));
    } finally {
      state.release();
    }
  }

  /**
   * Merges {@code rows} of {@code entities}, computed from their state, into the table by its keys;
   * with {@code deleting}, a key of theirs the rows no longer have is deleted (state that only grew
   * has none to delete). {@code bound} (on the table's columns as {@code t}) limits the rows of the
   * table the merge reads.
   */
  private void mergeEntities(
      GoldTable table, Dataset<Row> entities, Dataset<Row> rows, boolean deleting, Column bound) {
    List<String> keys = table.keyColumns();
    String path = tables.of(table.spec());
    judged(
        table,
        rows,
        judged -> {
          Dataset<Row> source = judged.withColumn(EntityState.PRESENT, lit(true));
          if (deleting) {
            Dataset<Row> gone =
                spark
                    .read()
                    .format("delta")
                    .load(path)
                    .join(entities, table.unitColumn(), "left_semi")
                    .select(keys.stream().map(k -> col(k)).toArray(Column[]::new))
                    .join(judged, EntityState.asScala(keys), "left_anti");
            source = source.unionByName(gone.withColumn(EntityState.PRESENT, lit(false)), true);
          }
          Map<String, String> assignments = EntityState.assignments(judged.columns());
          DeltaTable.forPath(spark, path)
              .as("t")
              .merge(source.as("s"), expr(EntityState.on(keys)).and(bound))
              .whenMatched("NOT s." + EntityState.PRESENT)
              .delete()
              .whenMatched()
              .updateExpr(assignments)
              .whenNotMatched("s." + EntityState.PRESENT)
              .insertExpr(assignments)
              .execute();
        });
  }

  /**
   * Rebuilds the whole table, and an entity table's state, from silver as of {@code silverVersion}.
   */
  void rebuild(GoldTable table, long silverVersion) {
    if (table.grain() instanceof EntityGrain) {
      EntityState state = state(table);
      state.rebuild(silver(silverVersion), silverVersion);
      write(table, GoldTransforms.finish(table, state.read()), null);
    } else {
      write(table, GoldTransforms.aggregate(table, silver(silverVersion)), null);
    }
  }

  private EntityState state(GoldTable table) {
    return new EntityState(spark, table, tables.of(table.stateSpec().orElseThrow()));
  }

  /**
   * Overwrites the table, or the part {@code replaceWhere} selects, with {@code rows}, once they
   * met the table's expectations.
   */
  private void write(GoldTable table, Dataset<Row> rows, String replaceWhere) {
    judged(
        table,
        replaceWhere == null ? EntityState.inRanges(table, rows) : rows,
        judged -> {
          var writer = judged.write().format("delta").mode("overwrite");
          if (replaceWhere != null) {
            writer = writer.option("replaceWhere", replaceWhere);
          } else {
            writer = writer.options(EntityState.fileOptions(spark, table));
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
    Dataset<Row> judged = declared.isEmpty() ? rows : rows.persist(EntityState.KEPT);
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
