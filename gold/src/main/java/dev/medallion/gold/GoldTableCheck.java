package dev.medallion.gold;

import dev.medallion.common.error.Errors;
import dev.medallion.common.error.MedallionException;
import java.util.Arrays;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.trees.TreePattern;
import org.apache.spark.sql.types.DataType;

/**
 * What a gold table's SQL can only be checked against silver's schema for, checked on an empty
 * silver before a run reads data: every column and function it names exists, every value it
 * computes is the same on every run over the same rows (a recomputed unit must come out as it did),
 * and every column is of the type its statement declares.
 */
final class GoldTableCheck {
  private GoldTableCheck() {}

  /**
   * The table's rows over {@code emptySilver} (silver's schema, no rows), analysed.
   *
   * @throws MedallionException naming the table and what to change
   */
  static Dataset<Row> checked(GoldTable table, Dataset<Row> emptySilver) {
    Dataset<Row> rows;
    try {
      rows = GoldTransforms.aggregate(table, emptySilver);
    } catch (Exception e) { // AnalysisException, which Scala does not declare
      if (!(e instanceof AnalysisException analysis)) {
        throw e;
      }
      throw refused(
          table,
          firstLine(analysis.getMessage())
              + "; it may read silver.events' columns "
              + String.join(", ", emptySilver.columns()));
    }
    refuseUnrepeatable(table, rows.queryExecution().analyzed());
    for (GoldColumn column : table.columns()) {
      DataType actual = rows.schema().apply(column.name()).dataType();
      if (column.type() != null && !DataType.equalsIgnoreNullability(column.type(), actual)) {
        throw refused(
            table,
            "its column "
                + column.name()
                + " is declared "
                + column.type().sql()
                + " and its SQL computes "
                + actual.sql()
                + "; declare it "
                + actual.sql()
                + " or CAST it");
      }
    }
    return rows;
  }

  /**
   * Refuses what Spark marks non-deterministic (rand, uuid, shuffle, reflect, ...) and what reads
   * the clock or the session (current_date, now, current_user, ...): a unit recomputed later would
   * differ from the same unit computed now.
   */
  private static void refuseUnrepeatable(GoldTable table, LogicalPlan plan) {
    plan.foreach(
        node -> {
          node.expressions()
              .foreach(
                  expression -> {
                    // The innermost such expression: what makes its parents so.
                    scala.Option<Expression> bad =
                        expression.find(
                            e -> unrepeatable(e) && !e.children().exists(c -> unrepeatable(c)));
                    if (bad.isDefined()) {
                      throw refused(
                          table,
                          bad.get().prettyName()
                              + " gives another value on another run, so a recomputed hour, day or"
                              + " entity would change; compute from silver's columns alone");
                    }
                    return null;
                  });
          return null;
        });
  }

  private static boolean unrepeatable(Expression e) {
    return !e.deterministic() || e.containsPattern(TreePattern.CURRENT_LIKE());
  }

  private static String firstLine(String message) {
    String trimmed = message == null ? "" : message.strip();
    return Arrays.stream(trimmed.split("\n")).findFirst().orElse("");
  }

  private static MedallionException refused(GoldTable table, String why) {
    return Errors.usage("Cannot build gold table " + table.name() + ": " + why);
  }
}
