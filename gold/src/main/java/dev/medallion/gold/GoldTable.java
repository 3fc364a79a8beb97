package dev.medallion.gold;

import dev.medallion.common.CoreTables;
import dev.medallion.common.TableSpec;
import java.util.List;
import java.util.Objects;

/**
 * The declaration of one gold table: everything the gold job needs to build it and keep it exact. A
 * table is recomputed one time unit at a time ({@link #grain()}): the gold job finds the units
 * silver's new rows touch, recomputes exactly those from silver, and replaces them.
 *
 * @param name table name: stored at {@code <root>/gold/<name>}, registered as {@code gold.<name>}
 * @param grain the unit the table is recomputed by
 * @param timeColumn the gold column holding the unit (the first grouping key)
 * @param silverFilter SQL predicate on silver rows the table reads, or empty for all
 * @param groupBy SQL grouping expressions, each with {@code AS name}; the first yields {@code
 *     timeColumn} from the grain's silver column
 * @param aggregates SQL aggregate expressions, each with {@code AS name}
 * @param select the final columns (SQL over the grouped columns), in table order
 * @param clusterBy columns maintenance Z-orders the table by
 */
public record GoldTable(
    String name,
    TimeGrain grain,
    String timeColumn,
    String silverFilter,
    List<String> groupBy,
    List<String> aggregates,
    List<String> select,
    List<String> clusterBy) {

  public GoldTable {
    Objects.requireNonNull(name, "name");
    if (!name.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException(
          "Cannot name a gold table '" + name + "': use lower_snake_case");
    }
    if (groupBy.isEmpty() || aggregates.isEmpty() || select.isEmpty()) {
      throw new IllegalArgumentException(
          "Cannot declare gold table " + name + " without grouping, aggregates and columns");
    }
    groupBy = List.copyOf(groupBy);
    aggregates = List.copyOf(aggregates);
    select = List.copyOf(select);
    clusterBy = List.copyOf(clusterBy);
  }

  /** The table's declaration among all of the lakehouse's tables. */
  public TableSpec spec() {
    return new TableSpec(CoreTables.GOLD, name, List.of(), clusterBy, List.of());
  }
}
