package dev.medallion.gold;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** A gold table's rows from silver rows: the declaration applied. Pure: no IO. */
public final class GoldTransforms {
  private GoldTransforms() {}

  /**
   * Aggregates {@code silver} (already narrowed to the units to recompute) per the declaration. A
   * day table goes through its state's shape ({@link #hours}, {@link #pairs}, {@link #days}), so a
   * rebuild and an incremental run compute a day the same way.
   */
  public static Dataset<Row> aggregate(GoldTable table, Dataset<Row> silver) {
    if (table.grain() == TimeGrain.DAY) {
      return days(table, hours(table, silver), pairs(table, silver));
    }
    return grouped(table, silver, table.groupBy())
        .selectExpr(table.select().toArray(String[]::new));
  }

  /** A day table's aggregates per hour and key: the rows of its hours state. */
  static Dataset<Row> hours(GoldTable table, Dataset<Row> silver) {
    List<String> keys = new ArrayList<>();
    keys.add(TimeGrain.HOUR.silverColumn() + " AS " + TimeGrain.HOUR.silverColumn());
    keys.addAll(table.groupBy());
    return grouped(table, silver, keys);
  }

  /**
   * A day table's distinct (day, keys, values) among silver rows: the rows of its pairs state, or
   * null for a table without distinct counts.
   */
  static Dataset<Row> pairs(GoldTable table, Dataset<Row> silver) {
    DistinctCounts distinct = table.distinct();
    if (distinct == null) {
      return null;
    }
    Dataset<Row> input = filtered(table, silver);
    if (!distinct.filter().isEmpty()) {
      input = input.where(distinct.filter());
    }
    return input
        .selectExpr(
            Stream.concat(table.groupBy().stream(), distinct.columns().stream())
                .toArray(String[]::new))
        .distinct();
  }

  /**
   * A day table's rows from its states (narrowed to the days to recompute): each day's hours
   * summed, with the day's distinct pairs counted ({@code pairs} null for a table without them).
   */
  static Dataset<Row> days(GoldTable table, Dataset<Row> hours, Dataset<Row> pairs) {
    String[] keys = table.keyColumns().toArray(String[]::new);
    Column[] keyColumns = Arrays.stream(keys).map(k -> col("`" + k + "`")).toArray(Column[]::new);
    Column[] sums =
        table.aggregates().stream()
            .map(GoldColumn::nameOf)
            .map(
                name ->
                    expr("sum(" + name + ")").cast(hours.schema().apply(name).dataType()).as(name))
            .toArray(Column[]::new);
    Dataset<Row> day =
        hours.groupBy(keyColumns).agg(sums[0], Arrays.copyOfRange(sums, 1, sums.length));
    if (pairs != null) {
      DistinctCounts distinct = table.distinct();
      Column[] counts = distinct.counts().stream().map(e -> expr(e)).toArray(Column[]::new);
      Dataset<Row> counted =
          pairs.groupBy(keyColumns).agg(counts[0], Arrays.copyOfRange(counts, 1, counts.length));
      Column sameKeys =
          Arrays.stream(keys)
              .map(k -> col("d.`" + k + "`").eqNullSafe(col("c.`" + k + "`")))
              .reduce(Column::and)
              .orElseThrow();
      List<Column> columns = new ArrayList<>();
      Arrays.stream(day.columns()).forEach(c -> columns.add(col("d.`" + c + "`")));
      distinct
          .countNames()
          .forEach(n -> columns.add(coalesce(col("c.`" + n + "`"), lit(0L)).as(n)));
      day =
          day.as("d")
              .join(counted.as("c"), sameKeys, "left")
              .select(columns.toArray(Column[]::new));
    }
    return day.selectExpr(table.select().toArray(String[]::new));
  }

  private static Dataset<Row> grouped(GoldTable table, Dataset<Row> silver, List<String> groupBy) {
    Column[] keys = groupBy.stream().map(e -> expr(e)).toArray(Column[]::new);
    Column[] aggregates = table.aggregates().stream().map(e -> expr(e)).toArray(Column[]::new);
    return filtered(table, silver)
        .groupBy(keys)
        .agg(aggregates[0], Arrays.copyOfRange(aggregates, 1, aggregates.length));
  }

  private static Dataset<Row> filtered(GoldTable table, Dataset<Row> silver) {
    return table.silverFilter().isEmpty() ? silver : silver.where(table.silverFilter());
  }
}
