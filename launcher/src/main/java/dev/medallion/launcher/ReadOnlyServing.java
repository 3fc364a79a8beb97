package dev.medallion.launcher;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.command.SetCommand;
import scala.Function1;
import scala.Option;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;

/**
 * Keeps {@code serve}'s client sessions from changing anything: a Spark SQL extension whose check
 * rule refuses every analyzed plan that holds a command other than SHOW, DESCRIBE, EXPLAIN, USE and
 * a harmless SET. It judges the analyzed plan, so SQL from either protocol and Spark Connect's
 * DataFrame writes ({@code df.write}, catalog calls) are caught alike. Tables change only through
 * the layer jobs, which hold the layers' locks; an unlocked write would race them.
 */
public final class ReadOnlyServing implements Function1<SparkSessionExtensions, BoxedUnit> {
  /** Settings a client must not change: they would reopen what serving closes. */
  private static final List<String> PROTECTED_SETTINGS =
      List.of("spark.sql.runSQLOnFiles", "spark.sql.extensions", "spark.sql.catalog");

  private static final List<String> SESSION_COMMANDS =
      List.of("SetCatalogAndNamespace", "SetNamespaceCommand");

  /** The server's own session, which registers the tables; client sessions are new sessions. */
  private static volatile Object serverSession;

  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    extensions.injectCheckRule(
        session ->
            plan -> {
              if (session != serverSession) {
                firstWrite(plan)
                    .ifPresent(
                        write -> {
                          throw new UnsupportedOperationException(
                              "medallion serve is read-only and does not run "
                                  + write
                                  + ": tables change only through the layer jobs (start serve"
                                  + " with --allow-writes to allow writes)");
                        });
              }
              return BoxedUnit.UNIT;
            });
    return BoxedUnit.UNIT;
  }

  /** Lets the server's own session (which registers the tables) write. */
  static void exempt(Object session) {
    serverSession = session;
  }

  /** The name of the first command in an analyzed plan that serving refuses, if any. */
  static Optional<String> firstWrite(LogicalPlan analyzed) {
    Deque<LogicalPlan> pending = new ArrayDeque<>();
    pending.push(analyzed);
    while (!pending.isEmpty()) {
      LogicalPlan plan = pending.pop();
      if (plan instanceof Command && !allowed(plan)) {
        return Optional.of(plan.getClass().getSimpleName());
      }
      CollectionConverters.asJava(plan.children()).forEach(pending::push);
    }
    return Optional.empty();
  }

  private static boolean allowed(LogicalPlan command) {
    String name = command.getClass().getSimpleName();
    if (ReadOnlySql.READING_COMMANDS.stream().anyMatch(name::startsWith)
        || SESSION_COMMANDS.contains(name)) {
      return true;
    }
    if (command instanceof SetCommand set) {
      Option<Tuple2<String, Option<String>>> keyValue = set.kv();
      return keyValue.isEmpty()
          || keyValue.get()._2().isEmpty()
          || PROTECTED_SETTINGS.stream().noneMatch(keyValue.get()._1().trim()::startsWith);
    }
    return false;
  }
}
