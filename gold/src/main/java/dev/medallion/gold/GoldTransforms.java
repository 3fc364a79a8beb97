package dev.medallion.gold;

import static org.apache.spark.sql.functions.expr;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** A gold table's rows from silver rows: the declaration applied. Pure: no IO. */
public final class GoldTransforms {
  private GoldTransforms() {}

  /** Aggregates {@code silver} (already narrowed to the units to recompute) per the declaration. */
  public static Dataset<Row> aggregate(GoldTable table, Dataset<Row> silver) {
    Dataset<Row> input =
        table.silverFilter().isEmpty() ? silver : silver.where(table.silverFilter());
    Column[] keys = table.groupBy().stream().map(e -> expr(e)).toArray(Column[]::new);
    Column[] aggregates = table.aggregates().stream().map(e -> expr(e)).toArray(Column[]::new);
    Dataset<Row> grouped =
        input
            .groupBy(keys)
            .agg(aggregates[0], java.util.Arrays.copyOfRange(aggregates, 1, aggregates.length));
    return grouped.selectExpr(table.select().toArray(String[]::new));
  }
}
