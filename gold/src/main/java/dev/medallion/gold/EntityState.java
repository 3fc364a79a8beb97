package dev.medallion.gold;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.unix_date;

import dev.medallion.common.delta.DeltaTables;
import io.delta.tables.DeltaTable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * What an entity table (sessions, users) is kept from: its aggregates per grouping key, as of a
 * silver version, in {@code <root>/gold/<table>_state}. A run adds silver's new events to the keys
 * they touch by combining partial aggregates ({@link Rollup}), so it reads the touched entities'
 * state and the new events, never an entity's history in silver. Each key records the last silver
 * commit its aggregates include: a change already in them (a batch retried after its state was
 * written, or one a recompute had read) is not added twice.
 */
final class EntityState {
  /** The last silver commit a key's aggregates include. */
  static final String VERSION = "_silver_version";

  /** Silver's change feed's commit version of a change. */
  static final String COMMIT_VERSION = "_commit_version";

  /** The first day of an entity's keys a run's changes touch: {@link #firstChangedDays}. */
  static final String FIRST_DAY = "_first_day";

  /** Spark's cap on the rows of a written file (0: none). */
  static final String MAX_RECORDS_PER_FILE = "spark.sql.files.maxRecordsPerFile";

  /**
   * How gold keeps a batch, or a state read, between the actions that use it: on local disk, not in
   * the heap. At 10M events one is hundreds of MB; held in the heap it left the rest of the run
   * (Delta's log states, plans, broadcasts) too little, and a run failed with {@code
   * OutOfMemoryError: GC overhead limit exceeded}.
   */
  static final StorageLevel KEPT = StorageLevel.DISK_ONLY();

  /** The merge source's marker of a recomputed row, against a key to delete. */
  static final String PRESENT = "_medallion_present";

  private final SparkSession spark;
  private final GoldTable table;
  private final String path;
  private final List<Dataset<Row>> cached = new ArrayList<>();
  private Column touchedFrom = lit(true);

  EntityState(SparkSession spark, GoldTable table, String path) {
    this.spark = spark;
    this.table = table;
    this.path = path;
  }

  /** The state's columns, for an (empty) {@code silver}: the keys, the aggregates, the version. */
  static StructType schema(GoldTable table, Dataset<Row> silver) {
    return GoldTransforms.grouped(table, silver.limit(0), lit(0L).as(VERSION)).schema();
  }

  boolean exists() {
    return DeltaTables.version(spark, path) != DeltaTables.NO_VERSION;
  }

  void create(StructType schema) {
    DeltaTables.createIfAbsent(
        spark,
        path,
        DeltaTables.withComments(schema, comments()),
        table.partitionBy().toArray(String[]::new),
        GoldWriter.TABLE_PROPERTIES,
        description());
  }

  /**
   * Creates the state with the aggregates of {@code silver}, read at {@code version}, in one
   * commit: a run killed while building it leaves no state, never an empty or partial one that the
   * next run would take as complete.
   */
  void createFrom(Dataset<Row> silver, long version) {
    var writer =
        commented(inRanges(table, GoldTransforms.grouped(table, silver, lit(version).as(VERSION))))
            .writeTo(DeltaTables.sqlIdentifier(path))
            .using("delta")
            .options(fileOptions(spark, table))
            .tableProperty("comment", description());
    if (!table.partitionBy().isEmpty()) {
      writer = writer.partitionedBy(col(table.partitionBy().get(0)));
    }
    for (Map.Entry<String, String> property : GoldWriter.TABLE_PROPERTIES.entrySet()) {
      writer = writer.tableProperty(property.getKey(), property.getValue());
    }
    try {
      writer.create();
    } catch (TableAlreadyExistsException e) { // gold's lock is held: only another tool made it
      throw new IllegalStateException(
          "Cannot build the state of gold." + table.name() + ": a table appeared at " + path, e);
    }
  }

  private String description() {
    return "The partial aggregates gold." + table.name() + " is kept from (internal to gold)";
  }

  /**
   * Gives the state its comments, as every gold table has, where they differ: readers of the
   * lakehouse find what each column is, and no column goes undescribed. A state created here has
   * them already.
   */
  void describe() {
    DeltaTables.describe(spark, path, description(), comments());
  }

  /** {@code rows} of the state with its columns' comments, for a write that creates the state. */
  private Dataset<Row> commented(Dataset<Row> rows) {
    return rows.select(
        Arrays.stream(DeltaTables.withComments(rows.schema(), comments()).fields())
            .map(f -> col("`" + f.name().replace("`", "``") + "`").as(f.name(), f.metadata()))
            .toArray(Column[]::new));
  }

  /** Each state column's comment, by name. */
  private Map<String, String> comments() {
    Map<String, String> comments = new LinkedHashMap<>();
    table.groupBy().forEach(k -> comments.put(GoldColumn.nameOf(k), "Grouping key: " + k));
    table
        .aggregates()
        .forEach(a -> comments.put(GoldColumn.nameOf(a), "Partial aggregate of the key: " + a));
    comments.put(VERSION, "The last silver commit whose changes the key's aggregates include");
    return comments;
  }

  /** Replaces the whole state with the aggregates of {@code silver}, read at {@code version}. */
  void rebuild(Dataset<Row> silver, long version) {
    inRanges(table, GoldTransforms.grouped(table, silver, lit(version).as(VERSION)))
        .write()
        .format("delta")
        .options(fileOptions(spark, table))
        .mode("overwrite")
        .partitionBy(table.partitionBy().toArray(String[]::new))
        .save(path);
  }

  /**
   * Adds silver's inserted rows {@code changes} (its change feed, with each change's commit
   * version) to the state, leaving out those a key's aggregates already include.
   *
   * @return the state of every entity the changes touch, after: all its keys' rows
   */
  Dataset<Row> addInserts(Dataset<Row> changes) {
    List<String> keys = table.keyColumns();
    Dataset<Row> filtered = filtered(changes);
    Dataset<Row> before = kept(touched(entitiesOf(filtered)));
    // The rows and the state are joined on the keys under names of their own, so that a key
    // named as a silver column (user_id) does not shadow it.
    List<String> keyed = IntStream.range(0, keys.size()).mapToObj(i -> "_key_" + i).toList();
    Dataset<Row> withKeys = filtered;
    for (int i = 0; i < keys.size(); i++) {
      withKeys = withKeys.withColumn(keyed.get(i), expr(table.groupBy().get(i)));
    }
    Dataset<Row> included = before.select(renamed(keys, keyed, VERSION));
    Dataset<Row> fresh =
        withKeys
            .join(included, asScala(keyed), "left_outer")
            .where(col(COMMIT_VERSION).gt(coalesce(col(VERSION), lit(-1L))))
            .drop(VERSION)
            .drop(keyed.toArray(String[]::new));
    Dataset<Row> partials =
        GoldTransforms.grouped(table, fresh, max(col(COMMIT_VERSION)).as(VERSION));
    Column[] rollups = rollups(table, before.schema());
    Dataset<Row> combined =
        kept(
            before
                .join(partials.select(cols(keys)), asScala(keys), "left_semi")
                .unionByName(partials)
                .groupBy(cols(keys))
                .agg(rollups[0], Arrays.copyOfRange(rollups, 1, rollups.length)));
    Dataset<Row> after =
        before.join(combined.select(cols(keys)), asScala(keys), "left_anti").unionByName(combined);
    touchedFrom = fromStartOf(table, before);
    Optional<String> days = partitionsOf(combined);
    if (days.isPresent()) {
      DeltaTable.forPath(spark, path)
          .as("t")
          .merge(combined.as("s"), expr(on(keys) + days.get()).and(touchedFrom))
          .whenMatched()
          .updateAll()
          .whenNotMatched()
          .insertAll()
          .execute();
    }
    return after;
  }

  /**
   * Starts a state that holds no rows with silver's inserted rows {@code changes}: what {@link
   * #addInserts} does when no key has aggregates yet, in one append instead of lookups and a merge
   * (an entity table's first run).
   *
   * @return the state, after
   */
  Dataset<Row> startWith(Dataset<Row> changes) {
    inRanges(
            table,
            GoldTransforms.grouped(table, filtered(changes), max(col(COMMIT_VERSION)).as(VERSION)))
        .write()
        .format("delta")
        .options(fileOptions(spark, table))
        .mode("append")
        .save(path);
    return read();
  }

  /** Whether the state holds no rows yet. */
  boolean holdsNoRows() {
    return DeltaTables.holdsNoFiles(spark, path);
  }

  /**
   * Recomputes the entities {@code touched} rows of silver name from their whole history in {@code
   * silver} (read at {@code version}): the way for changes that are not inserts, and for backfills.
   * A key of theirs with no silver rows left is deleted.
   *
   * @return the state of those entities, after
   */
  Dataset<Row> recompute(Dataset<Row> touched, Dataset<Row> silver, long version) {
    List<String> keys = table.keyColumns();
    Dataset<Row> entities = entitiesOf(touched);
    Dataset<Row> rows =
        kept(
            GoldTransforms.grouped(
                table,
                silver.join(entities, table.grain().silverColumn(), "left_semi"),
                lit(version).as(VERSION)));
    Dataset<Row> gone = touched(entities).select(cols(keys)).join(rows, asScala(keys), "left_anti");
    DeltaTable.forPath(spark, path)
        .as("t")
        .merge(
            rows.withColumn(PRESENT, lit(true))
                .unionByName(gone.withColumn(PRESENT, lit(false)), true)
                .as("s"),
            on(keys))
        .whenMatched("NOT s." + PRESENT)
        .delete()
        .whenMatched()
        .updateExpr(assignments(rows.columns()))
        .whenNotMatched("s." + PRESENT)
        .insertExpr(assignments(rows.columns()))
        .execute();
    return rows;
  }

  /**
   * For a partitioned table, each entity {@code changes} touch with the first day (partition value)
   * of its keys they touch, in {@link #FIRST_DAY}: the table's rows of that entity before that day
   * do not change. All the changes count, those the state already has too: after a run killed
   * between the state's commit and the table's, the rerun must still write those days' rows.
   */
  Dataset<Row> firstChangedDays(Dataset<Row> changes) {
    String day = table.partitionBy().get(0);
    String entity = table.unitColumn();
    return filtered(changes)
        .selectExpr(table.groupBy().get(0), table.groupBy().get(table.keyColumns().indexOf(day)))
        .groupBy(entity)
        .agg(min(col(day)).as(FIRST_DAY));
  }

  /**
   * The condition that limits a merge of {@code rows} to the partitions they hold, so that Delta
   * reads and rewrites only those ({@code ""} for a state not partitioned), or empty when there are
   * no rows to merge.
   */
  private Optional<String> partitionsOf(Dataset<Row> rows) {
    if (table.partitionBy().isEmpty()) {
      return Optional.of("");
    }
    String day = table.partitionBy().get(0);
    List<String> days =
        rows.select(unix_date(col(day))).distinct().collectAsList().stream()
            .map(r -> TimeGrain.DAY.literal(LocalDate.ofEpochDay(r.getInt(0))))
            .toList();
    return days.isEmpty()
        ? Optional.empty()
        : Optional.of(" AND t.`" + day + "` IN (" + String.join(", ", days) + ")");
  }

  /**
   * The condition {@link #addInserts} limited its merge by, which limits the table's merge of the
   * same keys as well: {@code TRUE} before it ran.
   */
  Column touchedFrom() {
    return touchedFrom;
  }

  /**
   * The condition that limits a merge of the keys of state rows {@code before} into a table laid
   * out by its {@link GoldTable#startColumn}, or into its state, to the rows from their least start
   * on, so that Delta skips the files wholly before it; {@code TRUE} for other tables. {@code
   * before} are the keys' state before the run: the state only ever held that start or a later one
   * for them, and so did the table, written from it, as adding events only lowers a start (a merge
   * of changes that are not inserts, {@link #recompute}, is not bounded). Keys new to the state
   * match no row, wherever they start.
   */
  private static Column fromStartOf(GoldTable table, Dataset<Row> before) {
    if (table.startColumn().isEmpty()) {
      return lit(true);
    }
    String start = table.startColumn().get();
    Row least = before.agg(min(col(start))).head();
    Column target = col("t.`" + start + "`");
    return least.isNullAt(0) ? lit(true) : target.geq(lit(least.get(0))).or(target.isNull());
  }

  /**
   * {@code rows} of a table laid out by its {@link GoldTable#startColumn} (or its state) in ranges
   * of that column, sorted, for a write whose files ({@link #fileOptions}) then each hold one
   * range; other tables' rows as they are.
   */
  static Dataset<Row> inRanges(GoldTable table, Dataset<Row> rows) {
    return table
        .startColumn()
        .map(start -> rows.repartitionByRange(col(start)).sortWithinPartitions(start))
        .orElse(rows);
  }

  /**
   * The write options that cap a file of a table laid out by its start column: {@link
   * GoldTable#START_CLUSTERED_FILE_ROWS} rows, or the operator's {@code
   * spark.sql.files.maxRecordsPerFile} when set.
   */
  static Map<String, String> fileOptions(SparkSession spark, GoldTable table) {
    if (table.startColumn().isEmpty()) {
      return Map.of();
    }
    long operators = Long.parseLong(spark.conf().get(MAX_RECORDS_PER_FILE, "0"));
    long rows = operators > 0 ? operators : GoldTable.START_CLUSTERED_FILE_ROWS;
    return Map.of("maxRecordsPerFile", String.valueOf(rows));
  }

  private Dataset<Row> filtered(Dataset<Row> changes) {
    return table.silverFilter().isEmpty() ? changes : changes.where(table.silverFilter());
  }

  /** The whole state. */
  Dataset<Row> read() {
    return spark.read().format("delta").load(path);
  }

  /** The distinct entities of {@code rows}, by the grain's silver column, nulls left out. */
  Dataset<Row> entitiesOf(Dataset<Row> rows) {
    String entity = table.grain().silverColumn();
    return rows.select(entity).where(col(entity).isNotNull()).distinct();
  }

  /** The state rows of {@code entities}. */
  private Dataset<Row> touched(Dataset<Row> entities) {
    return read().join(broadcast(entities), table.unitColumn(), "left_semi");
  }

  /**
   * Kept and read before the state is written: what the run adds and hands on must not be read
   * again from the state it changed. Kept until {@link #release}.
   */
  Dataset<Row> kept(Dataset<Row> rows) {
    Dataset<Row> persisted = rows.persist(KEPT);
    cached.add(persisted);
    persisted.count();
    return persisted;
  }

  /** Frees what {@link #addInserts} or {@link #recompute} kept, once their result is written. */
  void release() {
    cached.forEach(Dataset::unpersist);
    cached.clear();
  }

  /**
   * The combining aggregate of each of the table's aggregates over state rows {@code state} (the
   * state's schema), and of the version; a one-line error names an aggregate that does not combine.
   */
  static Column[] rollups(GoldTable table, StructType state) {
    List<Column> rollups = new ArrayList<>();
    for (String aggregate : table.aggregates()) {
      String name = GoldColumn.nameOf(aggregate);
      rollups.add(expr(Rollup.of(table.name(), aggregate, state.apply(name).dataType())));
    }
    rollups.add(max(col(VERSION)).as(VERSION));
    return rollups.toArray(Column[]::new);
  }

  private static Column[] cols(List<String> names) {
    return names.stream().map(n -> col(n)).toArray(Column[]::new);
  }

  private static Column[] renamed(List<String> names, List<String> as, String alsoKept) {
    List<Column> columns = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      columns.add(col(names.get(i)).as(as.get(i)));
    }
    columns.add(col(alsoKept));
    return columns.toArray(Column[]::new);
  }

  static scala.collection.immutable.Seq<String> asScala(List<String> names) {
    return scala.jdk.javaapi.CollectionConverters.asScala(names).toSeq();
  }

  static String on(List<String> keys) {
    return keys.stream()
        .map(k -> "t.`" + k + "` = s.`" + k + "`")
        .collect(Collectors.joining(" AND "));
  }

  static Map<String, String> assignments(String[] columns) {
    Map<String, String> assignments = new LinkedHashMap<>();
    for (String column : columns) {
      assignments.put("`" + column + "`", "s.`" + column + "`");
    }
    return assignments;
  }
}
