package dev.medallion.gold;

import dev.medallion.common.table.CoreTables;
import dev.medallion.common.table.TableSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The declaration of one gold table: everything the gold job needs to build it and keep it exact. A
 * table is recomputed by its {@link #grain()}: the gold job finds the hours, days, sessions or
 * users silver's new rows touch and recomputes exactly those from silver; a time unit replaces its
 * rows whole, an entity's rows are merged by the grouping keys.
 *
 * @param name table name: stored at {@code <root>/gold/<name>}, registered as {@code gold.<name>}
 * @param grain the unit the table is recomputed by
 * @param unitColumn the gold column holding the unit: the hour or day, or the entity's key (the
 *     first grouping key)
 * @param silverFilter SQL predicate on silver rows the table reads, or empty for all
 * @param groupBy SQL grouping expressions, each with {@code AS name}; the first yields {@code
 *     unitColumn} from the grain's silver column. An entity table's may use only the grains' silver
 *     columns and {@code ingested_at}, which silver's change feed is read with
 * @param aggregates SQL aggregate expressions, each with {@code AS name}
 * @param columns the final columns (SQL over the grouped columns), in table order, each with the
 *     description written to the table as its comment
 * @param clusterBy columns maintenance Z-orders the table by
 * @param description what a row of the table is, written to the table as its comment
 * @param partitionBy an entity table's DATE grouping key, or none, that the table and its state are
 *     partitioned by: a run merges only the rows of the days its new events change, so it rewrites
 *     those days' files and not the whole table (a table created before keeps its layout)
 */
public record GoldTable(
    String name,
    Grain grain,
    String unitColumn,
    String silverFilter,
    List<String> groupBy,
    List<String> aggregates,
    List<GoldColumn> columns,
    List<String> clusterBy,
    String description,
    List<String> partitionBy) {

  /**
   * The rows a write of a table laid out by its {@link #startColumn} puts in one file: about a few
   * days of sessions at the benchmark's 20,000 events a day, so a run's merge, which touches the
   * last few days, rewrites a file or two (about 1.6 MB at 32 bytes a row).
   */
  static final int START_CLUSTERED_FILE_ROWS = 50_000;

  /** What OPTIMIZE aims such a table's files at: about {@link #START_CLUSTERED_FILE_ROWS} rows. */
  static final long START_CLUSTERED_FILE_BYTES = 2L << 20;

  /** A table not partitioned. */
  public GoldTable(
      String name,
      Grain grain,
      String unitColumn,
      String silverFilter,
      List<String> groupBy,
      List<String> aggregates,
      List<GoldColumn> columns,
      List<String> clusterBy,
      String description) {
    this(
        name,
        grain,
        unitColumn,
        silverFilter,
        groupBy,
        aggregates,
        columns,
        clusterBy,
        description,
        List.of());
  }

  public GoldTable {
    Objects.requireNonNull(name, "name");
    if (!name.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException(
          "Cannot name a gold table '" + name + "': use lower_snake_case");
    }
    if (groupBy.isEmpty() || aggregates.isEmpty() || columns.isEmpty()) {
      throw new IllegalArgumentException(
          "Cannot declare gold table " + name + " without grouping, aggregates and columns");
    }
    if (description == null || description.isBlank()) {
      throw new IllegalArgumentException(
          "Cannot declare gold table " + name + " without a description");
    }
    if (!groupBy.isEmpty() && !GoldColumn.nameOf(groupBy.get(0)).equals(unitColumn)) {
      throw new IllegalArgumentException(
          "Cannot declare gold table "
              + name
              + ": its first grouping key '"
              + groupBy.get(0)
              + "' must yield its unit column "
              + unitColumn);
    }
    if (grain instanceof EntityGrain && !unitColumn.equals(grain.silverColumn())) {
      throw new IllegalArgumentException(
          "Cannot declare gold table "
              + name
              + ": an entity table's unit column is its entity's silver column "
              + grain.silverColumn()
              + ", not "
              + unitColumn);
    }
    if (columns.stream().map(GoldColumn::name).distinct().count() < columns.size()) {
      throw new IllegalArgumentException(
          "Cannot declare gold table " + name + " with two columns of one name: " + columns);
    }
    List<String> keys = groupBy.stream().map(GoldColumn::nameOf).toList();
    if (!partitionBy.isEmpty()
        && (!(grain instanceof EntityGrain)
            || partitionBy.size() > 1
            || !keys.subList(1, keys.size()).containsAll(partitionBy)
            || clusterBy.stream().anyMatch(partitionBy::contains))) {
      throw new IllegalArgumentException(
          "Cannot declare gold table "
              + name
              + " partitioned by "
              + partitionBy
              + ": only an entity table is, by one of its grouping keys after the entity's, which"
              + " maintenance does not Z-order by");
    }
    groupBy = List.copyOf(groupBy);
    aggregates = List.copyOf(aggregates);
    columns = List.copyOf(columns);
    clusterBy = List.copyOf(clusterBy);
    partitionBy = List.copyOf(partitionBy);
  }

  /** The names of the grouping keys: one row of the table per value of them. */
  public List<String> keyColumns() {
    return groupBy.stream().map(GoldColumn::nameOf).toList();
  }

  /** The final columns' SQL, in table order. */
  public List<String> select() {
    return columns.stream().map(GoldColumn::sql).toList();
  }

  /** The description of each column, by name, in table order. */
  public Map<String, String> columnDescriptions() {
    Map<String, String> descriptions = new LinkedHashMap<>();
    columns.forEach(c -> descriptions.put(c.name(), c.description()));
    return descriptions;
  }

  /**
   * The column an entity table is laid out by so that a run rewrites only its recent files, or
   * empty: the one column maintenance Z-orders an unpartitioned entity table by, when it keeps an
   * aggregate {@code min(...)} as it is (sessions' {@code session_start}). New events only lower a
   * key's minimum, so a merge of the keys a run touches needs only the rows from the least of their
   * values on; with files each holding a range of that column, Delta reads and rewrites only those.
   */
  public Optional<String> startColumn() {
    if (!(grain instanceof EntityGrain) || !partitionBy.isEmpty() || clusterBy.size() != 1) {
      return Optional.empty();
    }
    String column = clusterBy.get(0);
    boolean keptAsItIs = columns.stream().anyMatch(c -> c.sql().equals(column));
    boolean minimum =
        aggregates.stream()
            .anyMatch(a -> GoldColumn.nameOf(a).equals(column) && Rollup.isMinimum(a));
    return keptAsItIs && minimum ? Optional.of(column) : Optional.empty();
  }

  /** The table's declaration among all of the lakehouse's tables. */
  public TableSpec spec() {
    return new TableSpec(CoreTables.GOLD, name, partitionBy, clusterBy, List.of(), fileBytes());
  }

  /**
   * What OPTIMIZE aims a file at: small files of a range each for a table a run merges by range.
   */
  private long fileBytes() {
    return startColumn().isPresent() ? START_CLUSTERED_FILE_BYTES : 0;
  }

  /**
   * Where an entity table keeps its partial aggregates ({@code gold.<name>_state}, partitioned and
   * laid out as the table by its {@link #startColumn}, else Z-ordered by the entity), or empty for
   * a table of time units, which is recomputed from silver's units.
   */
  public Optional<TableSpec> stateSpec() {
    return grain instanceof EntityGrain entity
        ? Optional.of(
            new TableSpec(
                CoreTables.GOLD,
                name + "_state",
                partitionBy,
                List.of(startColumn().orElse(entity.silverColumn())),
                List.of(),
                fileBytes()))
        : Optional.empty();
  }

  /** The tables a gold run of this one writes: the table, and its state if it keeps one. */
  public List<TableSpec> specs() {
    return Stream.concat(Stream.of(spec()), stateSpec().stream()).toList();
  }
}
