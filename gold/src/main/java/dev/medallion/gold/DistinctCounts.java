package dev.medallion.gold;

import java.util.List;
import java.util.Objects;

/**
 * The exact distinct counts of a day table (buyers, sessions), kept so that a run touching one hour
 * does not recount whole days from silver. Gold keeps the distinct (day, keys, values) of silver's
 * rows in a small insert-only state table, adds the pairs of the hours a run touches, and counts a
 * touched day's pairs there: a day's pairs are far fewer than its events, and adding a pair twice
 * changes nothing, so a rerun stays exact.
 *
 * @param filter SQL predicate on silver rows, besides the table's own: the rows whose values count
 * @param columns the silver columns whose distinct values (per day and the table's keys) count
 * @param counts aggregates over a day's distinct pairs, each ending in {@code AS name}; a key with
 *     no pair counts 0, so each must be a count
 */
public record DistinctCounts(String filter, List<String> columns, List<String> counts) {
  public DistinctCounts {
    Objects.requireNonNull(filter, "filter");
    if (columns.isEmpty() || counts.isEmpty()) {
      throw new IllegalArgumentException(
          "Cannot declare distinct counts without columns and counts: " + columns + ", " + counts);
    }
    columns = List.copyOf(columns);
    counts = List.copyOf(counts);
  }

  /** The names the counts yield. */
  List<String> countNames() {
    return counts.stream().map(GoldColumn::nameOf).toList();
  }
}
