package dev.medallion.gold;

import java.util.Locale;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;
import org.apache.spark.sql.types.DataType;

/**
 * How partial results of one aggregate combine into the result over all their rows: the sum of
 * partial counts and sums, the least of partial minima, the concatenation of partial lists. An
 * entity table keeps its aggregates per key in {@link EntityState} and adds a run's new events by
 * combining, so no run reads an entity's history from silver. An aggregate that does not combine
 * (an average, a distinct count) is refused: the table computes it in its columns from ones that
 * do, as {@code avg_order_value} divides a sum by a count.
 */
final class Rollup {
  private Rollup() {}

  /**
   * The SQL that combines the partial results of {@code aggregate} ({@code function(...) AS name})
   * held in the column {@code name}, of {@code type}, named {@code name}.
   *
   * @throws IllegalArgumentException when the aggregate does not combine
   */
  static String of(String table, String aggregate, DataType type) {
    Expression parsed;
    try {
      parsed = CatalystSqlParser$.MODULE$.parseExpression(aggregate);
    } catch (Exception e) { // ParseException, which Scala does not declare

      throw refused(table, aggregate, "it is not SQL Spark parses: " + e.getMessage());
    }
    if (!(parsed instanceof Alias alias)) {
      throw refused(table, aggregate, "it has no 'AS name'");
    }
    String column = "`" + alias.name() + "`";
    String combined = combine(table, aggregate, alias.child(), column);
    // A sum of partial sums widens its type (decimal(30,6) to decimal(38,6)); the cast keeps the
    // aggregate's own. Minima and lists keep theirs.
    return (combined.startsWith("sum(") ? "CAST(" + combined + " AS " + type.sql() + ")" : combined)
        + " AS "
        + column;
  }

  /**
   * Whether {@code aggregate} ({@code function(...) AS name}) is a plain {@code min}: one whose
   * value for a key only decreases as rows are added.
   */
  static boolean isMinimum(String aggregate) {
    try {
      return CatalystSqlParser$.MODULE$.parseExpression(aggregate) instanceof Alias alias
          && alias.child() instanceof UnresolvedFunction f
          && !f.isDistinct()
          && f.filter().isEmpty()
          && f.nameParts().last().equalsIgnoreCase("min");
    } catch (Exception e) { // ParseException: of() refuses the aggregate, naming why
      return false;
    }
  }

  private static String combine(String table, String aggregate, Expression e, String column) {
    if (!(e instanceof UnresolvedFunction f) || f.isDistinct() || f.filter().isDefined()) {
      throw refused(
          table,
          aggregate,
          "only count, count_if, sum, min, max, collect_list and collect_set (without DISTINCT or"
              + " FILTER), or coalesce(sum(...), default), combine");
    }
    String function = f.nameParts().last().toLowerCase(Locale.ROOT);
    return switch (function) {
      case "count", "count_if", "sum" -> "sum(" + column + ")";
      case "min", "max" -> function + "(" + column + ")";
      case "collect_list" -> "flatten(collect_list(" + column + "))";
      case "collect_set" -> "array_distinct(flatten(collect_list(" + column + ")))";
      case "coalesce" -> {
        // coalesce(sum(x), 0): every partial is a number, so their sum is the whole's.
        if (f.arguments().size() == 2
            && f.arguments().apply(0) instanceof UnresolvedFunction inner
            && inner.nameParts().last().toLowerCase(Locale.ROOT).matches("sum|count|count_if")) {
          yield combine(table, aggregate, inner, column);
        }
        throw refused(
            table, aggregate, "coalesce combines only around sum or count, as coalesce(sum(x), 0)");
      }
      default ->
          throw refused(
              table,
              aggregate,
              function
                  + " does not combine from partial results; compute it in the table's columns"
                  + " from sums and counts");
    };
  }

  private static IllegalArgumentException refused(String table, String aggregate, String why) {
    return new IllegalArgumentException(
        "Cannot keep gold table "
            + table
            + " from partial aggregates: '"
            + aggregate
            + "' does not combine: "
            + why);
  }
}
