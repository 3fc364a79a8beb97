package dev.medallion.launcher;

import dev.medallion.common.error.Errors;
import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.ParsedStatement;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Tells a query from a statement that changes something, by parsing it (with Delta's SQL extension)
 * without running it: {@code bin/medallion sql} runs writes only when asked, and then under the
 * layers' locks, because an unlocked write races the layer jobs and can lose data.
 */
final class ReadOnlySql {
  /**
   * Commands that only read: SHOW ..., DESCRIBE ... (Delta's DESCRIBE HISTORY/DETAIL too), EXPLAIN.
   */
  static final List<String> READING_COMMANDS = List.of("Show", "Describe", "Explain");

  private static final URL SPARK_CATALYST = codeSource(LogicalPlan.class);

  private ReadOnlySql() {}

  /** The name of the first part of {@code sql} that would write or change a table, if any. */
  static Optional<String> firstWrite(SparkSession spark, String sql) {
    Deque<LogicalPlan> pending = new ArrayDeque<>();
    try {
      pending.push(spark.sessionState().sqlParser().parsePlan(sql));
    } catch (ParseException e) {
      throw Errors.usage("Cannot parse the statement: " + Errors.firstLine(e.getMessage()));
    }
    while (!pending.isEmpty()) {
      LogicalPlan plan = pending.pop();
      String name = plan.getClass().getSimpleName();
      boolean command = plan instanceof Command || plan instanceof ParsedStatement;
      // Statements of SQL extensions (Delta's RESTORE and CLONE, for two) are plain plan nodes,
      // some even in Spark's packages: a node not from Spark's catalyst jar counts as a write.
      boolean extension = !Objects.equals(codeSource(plan.getClass()), SPARK_CATALYST);
      if ((command || extension) && READING_COMMANDS.stream().noneMatch(name::startsWith)) {
        return Optional.of(name);
      }
      CollectionConverters.asJava(plan.children()).forEach(pending::push);
    }
    return Optional.empty();
  }

  private static URL codeSource(Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    return source == null ? null : source.getLocation();
  }
}
