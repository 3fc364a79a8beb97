package dev.medallion.launcher.readonly;

import dev.medallion.common.config.MedallionConfig;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.connect.proto.AnalyzePlanRequest;
import org.apache.spark.connect.proto.Catalog;
import org.apache.spark.connect.proto.Command;
import org.apache.spark.connect.proto.ConfigRequest;
import org.apache.spark.connect.proto.ExecutePlanRequest;
import org.apache.spark.connect.proto.Expression;
import org.apache.spark.connect.proto.KeyValue;
import org.apache.spark.connect.proto.Plan;
import org.apache.spark.connect.proto.Read;
import org.apache.spark.connect.proto.Relation;
import org.sparkproject.connect.protobuf.Any;
import org.sparkproject.connect.protobuf.Message;

/**
 * Judges a Spark Connect request before the server acts on it: parts of the protocol act without
 * any plan being analyzed (artifacts, session settings, caching, streaming queries, function
 * registration, catalog calls the planner runs while it builds a plan), and a user-defined
 * function's payload is deserialized before analysis could refuse it. Each message of the request,
 * at any depth, must be of a kind on these lists; the analyzed plan is then judged again by {@link
 * ReadOnlyPlans}.
 */
final class ConnectRequests {
  /** The service's methods a client may call: running and analyzing plans, and their upkeep. */
  static final Set<String> METHODS =
      Set.of(
          "ExecutePlan",
          "AnalyzePlan",
          "Config",
          "ReattachExecute",
          "ReleaseExecute",
          "ReleaseSession",
          "Interrupt",
          "FetchErrorDetails");

  private static final Set<Relation.RelTypeCase> RELATIONS =
      EnumSet.of(
          Relation.RelTypeCase.READ,
          Relation.RelTypeCase.PROJECT,
          Relation.RelTypeCase.FILTER,
          Relation.RelTypeCase.JOIN,
          Relation.RelTypeCase.SET_OP,
          Relation.RelTypeCase.SORT,
          Relation.RelTypeCase.LIMIT,
          Relation.RelTypeCase.AGGREGATE,
          Relation.RelTypeCase.SQL,
          Relation.RelTypeCase.LOCAL_RELATION,
          Relation.RelTypeCase.SAMPLE,
          Relation.RelTypeCase.OFFSET,
          Relation.RelTypeCase.DEDUPLICATE,
          Relation.RelTypeCase.RANGE,
          Relation.RelTypeCase.SUBQUERY_ALIAS,
          Relation.RelTypeCase.REPARTITION,
          Relation.RelTypeCase.TO_DF,
          Relation.RelTypeCase.WITH_COLUMNS_RENAMED,
          Relation.RelTypeCase.SHOW_STRING,
          Relation.RelTypeCase.DROP,
          Relation.RelTypeCase.TAIL,
          Relation.RelTypeCase.WITH_COLUMNS,
          Relation.RelTypeCase.HINT,
          Relation.RelTypeCase.UNPIVOT,
          Relation.RelTypeCase.TO_SCHEMA,
          Relation.RelTypeCase.REPARTITION_BY_EXPRESSION,
          Relation.RelTypeCase.HTML_STRING,
          Relation.RelTypeCase.AS_OF_JOIN,
          Relation.RelTypeCase.WITH_RELATIONS,
          Relation.RelTypeCase.TRANSPOSE,
          Relation.RelTypeCase.UNRESOLVED_TABLE_VALUED_FUNCTION,
          Relation.RelTypeCase.LATERAL_JOIN,
          Relation.RelTypeCase.FILL_NA,
          Relation.RelTypeCase.DROP_NA,
          Relation.RelTypeCase.REPLACE,
          Relation.RelTypeCase.SUMMARY,
          Relation.RelTypeCase.CROSSTAB,
          Relation.RelTypeCase.DESCRIBE,
          Relation.RelTypeCase.COV,
          Relation.RelTypeCase.CORR,
          Relation.RelTypeCase.APPROX_QUANTILE,
          Relation.RelTypeCase.FREQ_ITEMS,
          Relation.RelTypeCase.SAMPLE_BY,
          Relation.RelTypeCase.CATALOG);

  private static final Set<Expression.ExprTypeCase> EXPRESSIONS =
      EnumSet.of(
          Expression.ExprTypeCase.LITERAL,
          Expression.ExprTypeCase.UNRESOLVED_ATTRIBUTE,
          Expression.ExprTypeCase.UNRESOLVED_FUNCTION,
          Expression.ExprTypeCase.EXPRESSION_STRING,
          Expression.ExprTypeCase.UNRESOLVED_STAR,
          Expression.ExprTypeCase.ALIAS,
          Expression.ExprTypeCase.CAST,
          Expression.ExprTypeCase.UNRESOLVED_REGEX,
          Expression.ExprTypeCase.SORT_ORDER,
          Expression.ExprTypeCase.LAMBDA_FUNCTION,
          Expression.ExprTypeCase.WINDOW,
          Expression.ExprTypeCase.UNRESOLVED_EXTRACT_VALUE,
          Expression.ExprTypeCase.UPDATE_FIELDS,
          Expression.ExprTypeCase.UNRESOLVED_NAMED_LAMBDA_VARIABLE,
          Expression.ExprTypeCase.CALL_FUNCTION,
          Expression.ExprTypeCase.NAMED_ARGUMENT_EXPRESSION,
          Expression.ExprTypeCase.SUBQUERY_EXPRESSION);

  /** Catalog calls that only look: the planner runs every catalog call while it builds a plan. */
  private static final Set<Catalog.CatTypeCase> CATALOG_CALLS =
      EnumSet.of(
          Catalog.CatTypeCase.CURRENT_DATABASE,
          Catalog.CatTypeCase.SET_CURRENT_DATABASE,
          Catalog.CatTypeCase.LIST_DATABASES,
          Catalog.CatTypeCase.LIST_TABLES,
          Catalog.CatTypeCase.LIST_FUNCTIONS,
          Catalog.CatTypeCase.LIST_COLUMNS,
          Catalog.CatTypeCase.GET_DATABASE,
          Catalog.CatTypeCase.GET_TABLE,
          Catalog.CatTypeCase.GET_FUNCTION,
          Catalog.CatTypeCase.DATABASE_EXISTS,
          Catalog.CatTypeCase.TABLE_EXISTS,
          Catalog.CatTypeCase.FUNCTION_EXISTS,
          Catalog.CatTypeCase.CURRENT_CATALOG,
          Catalog.CatTypeCase.LIST_CATALOGS,
          Catalog.CatTypeCase.IS_CACHED,
          Catalog.CatTypeCase.LIST_VIEWS,
          Catalog.CatTypeCase.GET_TABLE_PROPERTIES);

  /** Commands: SQL only (judged by analysis); writes, streams, UDFs, views and caches are not. */
  private static final Set<Command.CommandTypeCase> COMMANDS =
      EnumSet.of(Command.CommandTypeCase.SQL_COMMAND);

  private static final Set<AnalyzePlanRequest.AnalyzeCase> ANALYSES =
      EnumSet.of(
          AnalyzePlanRequest.AnalyzeCase.SCHEMA,
          AnalyzePlanRequest.AnalyzeCase.EXPLAIN,
          AnalyzePlanRequest.AnalyzeCase.TREE_STRING,
          AnalyzePlanRequest.AnalyzeCase.IS_LOCAL,
          AnalyzePlanRequest.AnalyzeCase.IS_STREAMING,
          AnalyzePlanRequest.AnalyzeCase.SPARK_VERSION,
          AnalyzePlanRequest.AnalyzeCase.DDL_PARSE,
          AnalyzePlanRequest.AnalyzeCase.SAME_SEMANTICS,
          AnalyzePlanRequest.AnalyzeCase.SEMANTIC_HASH,
          AnalyzePlanRequest.AnalyzeCase.JSON_TO_DDL);

  private static final Set<ConfigRequest.Operation.OpTypeCase> CONFIG_READS =
      EnumSet.of(
          ConfigRequest.Operation.OpTypeCase.GET,
          ConfigRequest.Operation.OpTypeCase.GET_WITH_DEFAULT,
          ConfigRequest.Operation.OpTypeCase.GET_OPTION,
          ConfigRequest.Operation.OpTypeCase.IS_MODIFIABLE);

  /**
   * Settings a client may read: Spark SQL's and Connect's session options (the JVM client reads its
   * plan compression), which hold no secret (the server's keys and tokens live elsewhere).
   */
  private static final List<String> READABLE_PREFIXES =
      List.of("spark.sql.", "spark.connect.session.");

  private ConnectRequests() {}

  /** One line naming what {@code request} asks that serving refuses, if anything. */
  static Optional<String> refusal(Object request) {
    if (request instanceof ExecutePlanRequest execute) {
      return first(plan(execute.getPlan()), messages(execute));
    }
    if (request instanceof AnalyzePlanRequest analyze) {
      return first(
          ANALYSES.contains(analyze.getAnalyzeCase())
              ? Optional.empty()
              : Optional.of("the analysis " + name(analyze.getAnalyzeCase())),
          messages(analyze));
    }
    if (request instanceof ConfigRequest config) {
      return config(config.getOperation());
    }
    return request instanceof Message message ? messages(message) : Optional.empty();
  }

  /** A relation or a command ({@link #judge} judges which); a compressed plan cannot be read. */
  private static Optional<String> plan(Plan plan) {
    return switch (plan.getOpTypeCase()) {
      case ROOT, COMMAND -> Optional.empty();
      default -> Optional.of("a plan sent as " + name(plan.getOpTypeCase()));
    };
  }

  private static Optional<String> config(ConfigRequest.Operation operation) {
    ConfigRequest.Operation.OpTypeCase type = operation.getOpTypeCase();
    if (type == ConfigRequest.Operation.OpTypeCase.SET) {
      for (KeyValue pair : operation.getSet().getPairsList()) {
        if (!SessionSettings.SETTABLE.contains(pair.getKey())) {
          return Optional.of(
              "a change of the setting "
                  + pair.getKey()
                  + " (a client may set only "
                  + SessionSettings.settableKeys()
                  + ")");
        }
      }
      return Optional.empty();
    }
    if (!CONFIG_READS.contains(type)) {
      return Optional.of("the settings request " + name(type));
    }
    for (String key : keys(operation)) {
      if (READABLE_PREFIXES.stream().noneMatch(key::startsWith)
          || MedallionConfig.isSecretKey(key)) {
        return Optional.of(
            "a read of the setting "
                + key
                + " (a client may read spark.sql.* and spark.connect.session.*)");
      }
    }
    return Optional.empty();
  }

  private static List<String> keys(ConfigRequest.Operation operation) {
    return switch (operation.getOpTypeCase()) {
      case GET -> operation.getGet().getKeysList();
      case GET_OPTION -> operation.getGetOption().getKeysList();
      case IS_MODIFIABLE -> operation.getIsModifiable().getKeysList();
      case GET_WITH_DEFAULT ->
          operation.getGetWithDefault().getPairsList().stream().map(KeyValue::getKey).toList();
      default -> List.of();
    };
  }

  /**
   * Every message inside {@code root}: relations, expressions, catalog calls, reads, extensions.
   */
  private static Optional<String> messages(Message root) {
    Deque<Message> pending = new ArrayDeque<>();
    pending.push(root);
    while (!pending.isEmpty()) {
      Message message = pending.pop();
      Optional<String> refused = judge(message);
      if (refused.isPresent()) {
        return refused;
      }
      for (Object value : message.getAllFields().values()) {
        if (value instanceof Message child) {
          pending.push(child);
        } else if (value instanceof Collection<?> values) {
          values.stream()
              .filter(Message.class::isInstance)
              .map(Message.class::cast)
              .forEach(pending::push);
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<String> judge(Message message) {
    if (!message.getUnknownFields().asMap().isEmpty()) {
      return Optional.of("a " + message.getDescriptorForType().getName() + " with unknown fields");
    }
    if (message instanceof Any) {
      return Optional.of("an extension message");
    }
    if (message instanceof Relation relation && !RELATIONS.contains(relation.getRelTypeCase())) {
      return Optional.of("the relation " + name(relation.getRelTypeCase()));
    }
    if (message instanceof Read read) {
      if (read.getReadTypeCase() != Read.ReadTypeCase.NAMED_TABLE) {
        return Optional.of("a read of files by path or a data source: tables are read by name");
      }
      if (read.getIsStreaming()) {
        return Optional.of("a streaming read");
      }
    }
    if (message instanceof Expression expression
        && !EXPRESSIONS.contains(expression.getExprTypeCase())) {
      return Optional.of("the expression " + name(expression.getExprTypeCase()));
    }
    if (message instanceof Catalog catalog && !CATALOG_CALLS.contains(catalog.getCatTypeCase())) {
      return Optional.of("the catalog call " + name(catalog.getCatTypeCase()));
    }
    if (message instanceof Command command && !COMMANDS.contains(command.getCommandTypeCase())) {
      return Optional.of("the command " + name(command.getCommandTypeCase()));
    }
    return Optional.empty();
  }

  @SafeVarargs
  private static Optional<String> first(Optional<String>... refusals) {
    for (Optional<String> refusal : refusals) {
      if (refusal.isPresent()) {
        return refusal;
      }
    }
    return Optional.empty();
  }

  private static String name(Enum<?> kind) {
    return kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}
