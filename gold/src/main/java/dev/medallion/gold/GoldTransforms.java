package dev.medallion.gold;

import static org.apache.spark.sql.functions.expr;

import java.util.Arrays;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** A gold table's rows from silver rows: the declaration applied. Pure: no IO. */
public final class GoldTransforms {
  private GoldTransforms() {}

  /** Aggregates {@code silver} (already narrowed to the units to recompute) per the declaration. */
  public static Dataset<Row> aggregate(GoldTable table, Dataset<Row> silver) {
    return finish(table, grouped(table, silver));
  }

  /**
   * The grouped rows of {@code silver}: one per grouping key, with the declared aggregates and
   * {@code extra} ones after them.
   */
  public static Dataset<Row> grouped(GoldTable table, Dataset<Row> silver, Column... extra) {
    Dataset<Row> input =
        table.silverFilter().isEmpty() ? silver : silver.where(table.silverFilter());
    Column[] keys = table.groupBy().stream().map(e -> expr(e)).toArray(Column[]::new);
    Column[] aggregates =
        Stream.concat(table.aggregates().stream().map(e -> expr(e)), Arrays.stream(extra))
            .toArray(Column[]::new);
    return input
        .groupBy(keys)
        .agg(aggregates[0], Arrays.copyOfRange(aggregates, 1, aggregates.length));
  }

  /** The table's rows from its grouped rows: the declared columns, in table order. */
  public static Dataset<Row> finish(GoldTable table, Dataset<Row> grouped) {
    return grouped.selectExpr(table.select().toArray(String[]::new));
  }
}
