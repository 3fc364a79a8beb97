package dev.medallion.launcher.readonly;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.InheritAnalysisRules;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.plans.logical.DeserializeToObject;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.command.ExplainCommand;
import org.apache.spark.sql.execution.command.SetCommand;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.types.ObjectType;
import scala.Option;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Tells a plan that only reads the lakehouse's tables from everything else, for {@code sql} and
 * {@code serve} alike. It judges the analyzed plan, what would actually run, against lists of what
 * is known to only read: every operator must be a relational one (project, filter, join, aggregate,
 * window, sort, limit, set operations, generate, CTE, subquery ...), every relation one of the
 * served schemas' tables, every expression a built-in function that runs no caller's code (see
 * {@link ReadingFunctions}), and a command only SHOW, DESCRIBE, EXPLAIN, USE or a SET of a key in
 * {@link SessionSettings#SETTABLE}. A node of any other kind, including kinds a future Spark adds,
 * is refused until someone adds it here.
 */
public final class ReadOnlyPlans {
  private static final String LOGICAL = "org.apache.spark.sql.catalyst.plans.logical.";
  private static final String COMMANDS = "org.apache.spark.sql.execution.command.";
  private static final String ANALYSIS = "org.apache.spark.sql.catalyst.analysis.";
  private static final String DELTA = "org.apache.spark.sql.delta.commands.";

  /** The relational operators: each computes rows from its children and nothing else. */
  private static final Set<String> OPERATORS =
      Set.copyOf(
          prefixed(
              LOGICAL,
              "Project",
              "Filter",
              "Join",
              "LateralJoin",
              "AsOfJoin",
              "Aggregate",
              "Window",
              "Sort",
              "GlobalLimit",
              "LocalLimit",
              "Offset",
              "Tail",
              "Union",
              "Intersect",
              "Except",
              "Distinct",
              "Deduplicate",
              "SubqueryAlias",
              "WithCTE",
              "CTERelationDef",
              "CTERelationRef",
              "LocalRelation",
              "OneRowRelation",
              "Range",
              "Generate",
              "Sample",
              "Expand",
              "ResolvedHint",
              "Repartition",
              "RepartitionByExpression",
              "RebalancePartitions"));

  /** Commands that only show or describe, and the session's current schema (USE). */
  private static final Set<String> COMMANDS_ALLOWED =
      Set.copyOf(
          concat(
              prefixed(
                  LOGICAL,
                  "ShowTables",
                  "ShowTableProperties",
                  "ShowColumns",
                  "ShowFunctions",
                  "ShowViews",
                  "DescribeRelation",
                  "DescribeColumn",
                  "SetCatalogAndNamespace"),
              prefixed(
                  COMMANDS,
                  "ShowNamespacesCommand",
                  "ShowTablesCommand",
                  "ShowColumnsCommand",
                  "ShowTablePropertiesCommand",
                  "ShowFunctionsCommand",
                  "ShowViewsCommand",
                  "ShowCatalogsCommand",
                  "ShowCurrentNamespaceCommand",
                  "DescribeTableCommand",
                  "DescribeColumnCommand",
                  "DescribeDatabaseCommand",
                  "DescribeFunctionCommand",
                  "SetNamespaceCommand",
                  "SetCatalogCommand"),
              prefixed(
                  DELTA,
                  "DescribeDeltaHistoryCommand",
                  "DescribeDeltaDetailCommand",
                  "ShowDeltaTableColumnsCommand"),
              // What the analyzer resolves a command's table or schema name to: a name, no data.
              prefixed(ANALYSIS, "ResolvedNamespace", "ResolvedTable", "ResolvedIdentifier")));

  private final Set<String> schemas;

  /**
   * @param schemas the schemas whose tables may be read, e.g. {@code silver}, {@code gold}
   */
  public ReadOnlyPlans(Set<String> schemas) {
    this.schemas = Set.copyOf(schemas);
  }

  /**
   * One line naming the first part of {@code analyzed} that does more than read, if any. An
   * EXPLAIN's statement is analyzed only when the EXPLAIN runs, so {@code analyze} analyzes it
   * here, in the client's session, where that analysis is judged too (an {@code EXECUTE IMMEDIATE}
   * inside would otherwise run its statement while the EXPLAIN runs).
   */
  public Optional<String> refusal(
      LogicalPlan analyzed, java.util.function.UnaryOperator<LogicalPlan> analyze) {
    if (analyzed instanceof ExplainCommand explain) {
      return refusal(analyze.apply(explain.logicalPlan()), analyze);
    }
    Deque<LogicalPlan> plans = new ArrayDeque<>();
    plans.push(rowsOf(analyzed));
    while (!plans.isEmpty()) {
      LogicalPlan plan = plans.pop();
      Optional<String> refused = judge(plan);
      if (refused.isEmpty()) {
        refused = expressions(plan, plans);
      }
      if (refused.isPresent()) {
        return refused;
      }
      CollectionConverters.asJava(plan.children()).forEach(plans::push);
    }
    return Optional.empty();
  }

  /**
   * The plan under Spark's conversion of its result to rows ({@code Dataset.collect} and the Thrift
   * server's fetch add it on top): the decoder of {@link Row} is Spark's, not the client's.
   */
  private static LogicalPlan rowsOf(LogicalPlan plan) {
    if (plan instanceof DeserializeToObject toRows
        && toRows.outputObjAttr().dataType() instanceof ObjectType type
        && Row.class.isAssignableFrom(type.cls())) {
      return toRows.child();
    }
    return plan;
  }

  private Optional<String> judge(LogicalPlan plan) {
    String name = plan.getClass().getName();
    if (plan instanceof LogicalRelation relation) {
      return relation(relation);
    }
    if (plan instanceof SetCommand set) {
      return setting(set);
    }
    if (OPERATORS.contains(name) || COMMANDS_ALLOWED.contains(name)) {
      return Optional.empty();
    }
    return Optional.of("the operator " + plan.getClass().getSimpleName());
  }

  /** A relation is read only when it is a served table, named, as a batch. */
  private Optional<String> relation(LogicalRelation relation) {
    Option<CatalogTable> table = relation.catalogTable();
    if (table.isEmpty()) {
      return Optional.of(
          "a read of files by path ("
              + relation.relation().getClass().getSimpleName()
              + "): tables are read by name");
    }
    Option<String> database = table.get().identifier().database();
    String schema = database.isEmpty() ? "" : database.get().toLowerCase(Locale.ROOT);
    if (!schemas.contains(schema)) {
      return Optional.of(
          "a read of "
              + table.get().identifier().unquotedString()
              + ": the served schemas are "
              + String.join(", ", schemas.stream().sorted().toList()));
    }
    if (relation.isStreaming()) {
      return Optional.of("a streaming read of " + table.get().identifier().unquotedString());
    }
    return Optional.empty();
  }

  private static Optional<String> setting(SetCommand set) {
    Option<Tuple2<String, Option<String>>> keyValue = set.kv();
    if (keyValue.isEmpty() || keyValue.get()._2().isEmpty()) {
      return Optional.empty(); // SET, SET -v and SET key list values, secrets redacted by Spark
    }
    String key = keyValue.get()._1().trim();
    return SessionSettings.SETTABLE.contains(key)
        ? Optional.empty()
        : Optional.of(
            "SET " + key + " (a client may set only " + SessionSettings.settableKeys() + ")");
  }

  /** Judges every expression of {@code plan}; the plans of its subqueries join {@code plans}. */
  private static Optional<String> expressions(LogicalPlan plan, Deque<LogicalPlan> plans) {
    Deque<Expression> pending = new ArrayDeque<>(CollectionConverters.asJava(plan.expressions()));
    while (!pending.isEmpty()) {
      Expression expression = pending.pop();
      if (expression instanceof SubqueryExpression subquery) {
        plans.push(subquery.plan());
      }
      if (!ReadingFunctions.allows(expression)) {
        return Optional.of("the function " + functionName(expression));
      }
      // A built-in that Spark rewrites into others holds its rewrite as its child: judge the
      // caller's arguments, which the rewrite only wraps.
      scala.collection.Seq<Expression> children =
          expression instanceof InheritAnalysisRules rewritten
              ? rewritten.parameters()
              : expression.children();
      CollectionConverters.asJava(children).forEach(pending::push);
    }
    return Optional.empty();
  }

  private static String functionName(Expression expression) {
    String pretty = expression.prettyName();
    String type = expression.getClass().getSimpleName();
    return pretty.equalsIgnoreCase(type) ? type : pretty + " (" + type + ")";
  }

  private static List<String> prefixed(String prefix, String... names) {
    return java.util.Arrays.stream(names).map(name -> prefix + name).toList();
  }

  @SafeVarargs
  private static List<String> concat(List<String>... lists) {
    return java.util.Arrays.stream(lists).flatMap(List::stream).toList();
  }
}
