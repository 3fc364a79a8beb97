package dev.medallion.launcher.readonly;

import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.CommandExecutionMode;
import scala.Function1;
import scala.runtime.BoxedUnit;

/**
 * Keeps the sessions of {@code sql} and {@code serve} to reading tables: a Spark SQL extension
 * whose check rule runs {@link ReadOnlyPlans} and {@link SessionSettings} on every analyzed plan of
 * every session but the one that registers the tables. Being part of analysis, it judges SQL from
 * either protocol, Spark Connect's DataFrames and the statement an {@code EXECUTE IMMEDIATE} or an
 * {@code EXPLAIN} analyzes inside another, each before it runs. Tables change only through the
 * layer jobs, which hold the layers' locks; an unlocked write would race them.
 *
 * <p>Spark makes the extension from its class name ({@code spark.sql.extensions}), so what it
 * guards is handed over through {@link #guard} before the first client session exists.
 */
public final class ReadOnlySessions implements Function1<SparkSessionExtensions, BoxedUnit> {
  private record Guard(
      SparkSession owner,
      ReadOnlyPlans plans,
      SessionSettings settings,
      String refusedBy,
      Consumer<String> onRefusal) {}

  private static final String EXECUTION_ID = "spark.sql.execution.id";
  private static final String DELTA_CODE = "org.apache.spark.sql.delta.";

  private static volatile Guard guard;

  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    extensions.injectCheckRule(
        session ->
            plan -> {
              Guard current = guard;
              if ((current == null || session != current.owner())
                  && !executing(session)
                  && !analyzedByDelta()) {
                refusal(session, plan, current)
                    .ifPresent(
                        refused -> {
                          if (current != null) {
                            current.onRefusal().accept(refused);
                          }
                          throw new ReadOnlyViolation(refused);
                        });
              }
              return BoxedUnit.UNIT;
            });
    return BoxedUnit.UNIT;
  }

  /**
   * Whether {@code session} is running a query already judged: plans analyzed meanwhile are that
   * query's own work (Delta reading a table's log, an allowed SHOW or DESCRIBE building its
   * answer), made by Spark's and Delta's code, not by the client. Spark marks a running query with
   * its execution id in the thread's local properties.
   */
  private static boolean executing(SparkSession session) {
    return session.sparkContext().getLocalProperty(EXECUTION_ID) != null;
  }

  /**
   * Whether the plan being checked was made by Delta's code, not the client's: Delta reads a
   * table's log, binds decoders and lists files with queries of its own, in the reading session,
   * while the client's query is being analyzed. Those analyses cannot run anything (a statement
   * that runs during analysis, {@code EXECUTE IMMEDIATE}, is a statement of the client's, never a
   * part of Delta's queries), and the client's own plan is judged after them.
   */
  private static boolean analyzedByDelta() {
    return StackWalker.getInstance()
        .walk(
            frames ->
                frames.anyMatch(
                    frame ->
                        frame.getClassName().startsWith(DELTA_CODE)
                            && !frame.getClassName().startsWith(ReadOnlySessions.class.getName())));
  }

  private static Optional<String> refusal(SparkSession session, LogicalPlan plan, Guard current) {
    if (current == null) {
      return Optional.of("a read-only session before its tables were registered");
    }
    Optional<String> refused = current.settings().refusal(session);
    if (refused.isEmpty()) {
      refused =
          current
              .plans()
              .refusal(
                  plan,
                  statement ->
                      session
                          .sessionState()
                          .executePlan(statement, CommandExecutionMode.SKIP())
                          .analyzed());
    }
    return refused.map(what -> current.refusedBy() + " does not run " + what);
  }

  /**
   * Lets {@code owner} (which registers the tables) do anything and holds every other session of
   * its application to reading {@code schemas}' tables; {@code refusedBy} opens each refusal, e.g.
   * "medallion serve is read-only and", and {@code onRefusal} hears of each (a server logs them).
   */
  public static void guard(
      SparkSession owner, Set<String> schemas, String refusedBy, Consumer<String> onRefusal) {
    guard =
        new Guard(
            owner,
            new ReadOnlyPlans(schemas),
            SessionSettings.of(owner.newSession()),
            refusedBy,
            onRefusal);
  }

  /** The spark.sql.extensions value of a guarded application: Delta's, then this one. */
  public static String extensions() {
    return "io.delta.sql.DeltaSparkSessionExtension," + ReadOnlySessions.class.getName();
  }

  /** A refused plan: one line naming what was refused and why. */
  public static final class ReadOnlyViolation extends UnsupportedOperationException {
    ReadOnlyViolation(String message) {
      super(message);
    }
  }
}
