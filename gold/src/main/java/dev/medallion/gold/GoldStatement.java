package dev.medallion.gold;

import dev.medallion.common.error.Errors;
import dev.medallion.common.error.MedallionException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.catalyst.analysis.UnresolvedAttribute;
import org.apache.spark.sql.catalyst.analysis.UnresolvedIdentifier;
import org.apache.spark.sql.catalyst.analysis.UnresolvedOrdinal;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.analysis.UnresolvedStar;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.expressions.UnresolvedNamedLambdaVariable;
import org.apache.spark.sql.catalyst.expressions.WindowExpression;
import org.apache.spark.sql.catalyst.expressions.WindowSpecDefinition;
import org.apache.spark.sql.catalyst.plans.logical.Aggregate;
import org.apache.spark.sql.catalyst.plans.logical.ColumnDefinition;
import org.apache.spark.sql.catalyst.plans.logical.CreateMaterializedViewAsSelect;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.plans.logical.SubqueryAlias;
import org.apache.spark.sql.catalyst.plans.logical.TableSpecBase;
import org.apache.spark.sql.connector.expressions.IdentityTransform;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.execution.SparkSqlParser;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A gold table declared in SQL, the form Spark Declarative Pipelines use, read into a {@link
 * GoldTable}:
 *
 * <pre>
 * CREATE MATERIALIZED VIEW gold.name (column TYPE COMMENT '...', ...)
 * COMMENT '...'
 * [PARTITIONED BY (date_column)]
 * [TBLPROPERTIES ('medallion.grain' = 'event_date', 'medallion.zorder' = 'a, b')]
 * AS SELECT keys AS names, aggregates AS names FROM silver.events [WHERE ...] GROUP BY keys
 * </pre>
 *
 * or with the table's columns computed over the grouped rows by an outer {@code SELECT ... FROM
 * (that grouped query)}. The grain is the first {@code GROUP BY} key that is one of silver's grain
 * columns (or the one {@code medallion.grain} names): its units are recomputed whole, so every row
 * depends on its unit's silver rows only. Any other shape is refused here, before a session exists,
 * and so is a read of anything but {@code silver.events}: the shapes allowed are listed, the rest
 * refused. What needs the silver schema (unknown columns, types, determinism) {@link
 * GoldTableCheck} checks before a run reads data.
 */
final class GoldStatement {
  /** The table property that names the grain's silver column when the first key is not it. */
  static final String GRAIN_PROPERTY = "medallion.grain";

  /** The table property listing the columns maintenance Z-orders the table by. */
  static final String ZORDER_PROPERTY = "medallion.zorder";

  private static final List<String> SILVER_EVENTS = List.of("silver", "events");

  private static final String SHAPE =
      "write it as CREATE MATERIALIZED VIEW gold.<name> (<column> <TYPE> COMMENT '...', ...)"
          + " COMMENT '...' AS SELECT <keys and aggregates> FROM silver.events [WHERE ...] GROUP BY"
          + " <keys>, optionally inside SELECT <columns> FROM (...)";

  private final SparkSqlParser parser = new SparkSqlParser();
  private final String source;
  private final String text;

  private GoldStatement(String source, String text) {
    this.source = source;
    this.text = text;
  }

  /**
   * The table {@code text} declares.
   *
   * @param source where the text comes from, for messages (a file's path)
   * @throws MedallionException naming the source, what is wrong and how to write it
   */
  static GoldTable parse(String source, String text) {
    return new GoldStatement(source, text).table();
  }

  private GoldTable table() {
    LogicalPlan plan;
    try {
      plan = parser.parsePlan(text);
    } catch (Exception e) { // ParseException, which Scala does not declare
      throw refused("it is not SQL Spark parses: " + firstLine(e.getMessage()));
    }
    if (!(plan instanceof CreateMaterializedViewAsSelect view)) {
      throw refused("it is not a CREATE MATERIALIZED VIEW ... AS SELECT statement; " + SHAPE);
    }
    String name = name(view.name());
    TableSpecBase spec = view.tableSpec();
    if (spec.location().isDefined() || spec.provider().isDefined()) {
      throw refused(
          "it gives a LOCATION or USING; gold tables are Delta tables under the lakehouse root");
    }
    Map<String, String> properties =
        new LinkedHashMap<>(CollectionConverters.asJava(spec.properties()));
    Optional<String> declaredGrain = Optional.ofNullable(properties.remove(GRAIN_PROPERTY));
    List<String> zOrder =
        Optional.ofNullable(properties.remove(ZORDER_PROPERTY)).stream()
            .flatMap(columns -> List.of(columns.split(",")).stream())
            .map(String::trim)
            .toList();
    if (!properties.isEmpty()) {
      throw refused(
          "it sets "
              + properties.keySet()
              + "; the table properties a gold table takes are "
              + GRAIN_PROPERTY
              + " and "
              + ZORDER_PROPERTY);
    }
    if (spec.comment().isEmpty()) {
      throw refused("it has no COMMENT '...' saying what a row of the table is");
    }
    String description = spec.comment().get();
    Query query = query(view.query());
    Key grain = grain(query.keys, declaredGrain);
    List<String> columnNames = query.columns.stream().map(ColumnSql::name).toList();
    for (Key key : query.keys) {
      if (!columnNames.contains(key.name)) {
        throw refused(
            "its GROUP BY key "
                + key.name
                + " is not a column of the table, so its rows are not told apart by their"
                + " columns; select it in the outer SELECT");
      }
    }
    List<String> groupBy = new ArrayList<>();
    groupBy.add(grain.sql);
    query.keys.stream().filter(key -> key != grain).forEach(key -> groupBy.add(key.sql));
    try {
      return new GoldTable(
          name,
          grain.grain,
          grain.name,
          query.filter,
          groupBy,
          query.aggregates,
          columns(view.columns(), query.columns),
          zOrder,
          description,
          partitionBy(view.partitioning()));
    } catch (IllegalArgumentException e) {
      throw refused(e.getMessage());
    }
  }

  private String name(LogicalPlan identifier) {
    List<String> parts =
        CollectionConverters.asJava(((UnresolvedIdentifier) identifier).nameParts());
    if (parts.size() != 2 || !parts.get(0).equalsIgnoreCase("gold")) {
      throw refused(
          "it creates " + String.join(".", parts) + "; name it gold.<name> (lower_snake_case)");
    }
    return parts.get(1);
  }

  /** A grouping key: the SQL that computes it with its name, and the grain it is, if any. */
  private record Key(String sql, String name, Grain grain) {}

  /** The grouped query's parts, as the {@link GoldTable} declares them. */
  private record Query(
      List<Key> keys, List<String> aggregates, String filter, List<ColumnSql> columns) {}

  /** A column of the table: its name and the SQL that computes it over the grouped rows. */
  private record ColumnSql(String name, String sql) {}

  private Query query(LogicalPlan plan) {
    if (plan instanceof Aggregate grouped) {
      Query inner = grouped(grouped);
      List<ColumnSql> columns =
          items(grouped).stream()
              .map(item -> new ColumnSql(itemName(item), itemName(item)))
              .toList();
      return new Query(inner.keys, inner.aggregates, inner.filter, columns);
    }
    if (plan instanceof Project outer
        && outer.child() instanceof SubqueryAlias alias
        && alias.child() instanceof Aggregate grouped) {
      Query inner = grouped(grouped);
      List<String> innerNames = items(grouped).stream().map(GoldStatement::itemName).toList();
      List<ColumnSql> columns = new ArrayList<>();
      for (Expression item : expressions(outer.projectList())) {
        if (item instanceof UnresolvedStar star && star.target().isEmpty()) {
          innerNames.forEach(n -> columns.add(new ColumnSql(n, n)));
          continue;
        }
        refuseReads(item);
        refuseWindowsNotBy(item, inner.keys);
        String itemName = itemName(item);
        columns.add(new ColumnSql(itemName, itemSql(item)));
      }
      return new Query(inner.keys, inner.aggregates, inner.filter, columns);
    }
    throw refused(
        "its query is a " + plan.nodeName() + " where a grouped SELECT is expected; " + SHAPE);
  }

  private static List<Expression> items(Aggregate grouped) {
    return expressions(grouped.aggregateExpressions());
  }

  /** Scala's named expressions as the expressions they are (a trait Java does not see extend). */
  private static List<Expression> expressions(scala.collection.Seq<?> named) {
    return CollectionConverters.asJava(named).stream().map(e -> (Expression) e).toList();
  }

  private Query grouped(Aggregate grouped) {
    String filter = "";
    LogicalPlan from = grouped.child();
    if (from instanceof Filter where) {
      refuseReads(where.condition());
      filter = sql(where.condition());
      from = where.child();
    }
    if (!(from instanceof UnresolvedRelation relation)
        || !lower(CollectionConverters.asJava(relation.multipartIdentifier()))
            .equals(SILVER_EVENTS)) {
      throw refused(
          "it reads "
              + describe(from)
              + "; a gold table reads silver.events alone (no join, alias, subquery or other"
              + " table)");
    }
    List<Expression> items = items(grouped);
    List<Expression> groupings = CollectionConverters.asJava(grouped.groupingExpressions());
    List<Expression> keyItems = new ArrayList<>();
    for (Expression grouping : groupings) {
      refuseReads(grouping);
      keyItems.add(
          items.stream()
              .filter(item -> isItemOf(grouping, item, items))
              .findFirst()
              .orElseThrow(
                  () ->
                      refused(
                          "its GROUP BY key "
                              + quoted(grouping)
                              + " is not selected; select each key, named with AS")));
    }
    List<Key> keys = new ArrayList<>();
    List<String> aggregates = new ArrayList<>();
    for (Expression item : items) {
      refuseReads(item);
      if (item.find(e -> e instanceof WindowExpression).isDefined()) {
        throw refused(
            "its grouped SELECT has a window function in "
                + quoted(item)
                + "; compute it in an outer SELECT over the grouped rows");
      }
      String itemSql = itemSql(item);
      if (keyItems.contains(item)) {
        keys.add(new Key(itemSql, itemName(item), grainOf(item)));
      } else {
        aggregates.add(itemSql);
      }
    }
    if (aggregates.isEmpty()) {
      throw refused("its grouped SELECT has no aggregate; " + SHAPE);
    }
    return new Query(keys, aggregates, filter, List.of());
  }

  /** Whether {@code item} is the select item a GROUP BY expression, alias or ordinal names. */
  private static boolean isItemOf(Expression grouping, Expression item, List<Expression> items) {
    if (grouping instanceof UnresolvedOrdinal ordinal) {
      int position = ordinal.ordinal();
      return position >= 1 && position <= items.size() && items.get(position - 1) == item;
    }
    Expression value = item instanceof Alias alias ? alias.child() : item;
    return value.equals(grouping)
        || (grouping instanceof UnresolvedAttribute attribute
            && attribute.nameParts().size() == 1
            && attribute.name().equalsIgnoreCase(itemName(item)));
  }

  /** The grain a key is: a bare grain column of silver, or none. */
  private static Grain grainOf(Expression item) {
    Expression value = item instanceof Alias alias ? alias.child() : item;
    if (!(value instanceof UnresolvedAttribute column) || column.nameParts().size() != 1) {
      return null;
    }
    String name = column.name().toLowerCase(Locale.ROOT);
    for (Grain grain : grains()) {
      if (grain.silverColumn().equals(name)) {
        return grain;
      }
    }
    return null;
  }

  private static List<Grain> grains() {
    List<Grain> grains = new ArrayList<>(List.of(TimeGrain.values()));
    grains.addAll(List.of(EntityGrain.values()));
    return grains;
  }

  private Key grain(List<Key> keys, Optional<String> declared) {
    List<String> columns = grains().stream().map(Grain::silverColumn).toList();
    if (declared.isPresent()) {
      return keys.stream()
          .filter(key -> key.grain != null && key.grain.silverColumn().equals(declared.get()))
          .findFirst()
          .orElseThrow(
              () ->
                  refused(
                      GRAIN_PROPERTY
                          + " is '"
                          + declared.get()
                          + "', which is not one of its GROUP BY keys as a bare column; it names"
                          + " one of "
                          + columns));
    }
    return keys.stream()
        .filter(key -> key.grain != null)
        .findFirst()
        .orElseThrow(
            () ->
                refused(
                    "its grain cannot be found: no GROUP BY key is one of silver's "
                        + columns
                        + " as a bare column, so no run could tell which rows new events change;"
                        + " group by one of them (an hour, a day, a session or a user)"));
  }

  /**
   * A window over the grouped rows must partition by the grain's key: a run recomputes only the
   * touched units' rows, and a window across units would see some of them only.
   */
  private void refuseWindowsNotBy(Expression item, List<Key> keys) {
    for (Expression window : CollectionConverters.asJava(item.collect(new WindowCollector()))) {
      WindowSpecDefinition spec = ((WindowExpression) window).windowSpec();
      boolean byUnit =
          CollectionConverters.asJava(spec.partitionSpec()).stream()
              .anyMatch(
                  p ->
                      keys.stream().anyMatch(k -> k.grain != null && k.name.equals(columnName(p))));
      if (!byUnit) {
        throw refused(
            "its window "
                + quoted(window)
                + " does not PARTITION BY the grain's key, so a run that recomputes some units"
                + " would compute it over those alone; partition it by the grain's key");
      }
    }
  }

  /**
   * The column an expression names, or "": the parser makes a column inside a lambda's body (as in
   * {@code transform(xs, x -> ... OVER (PARTITION BY user_id ...))}) a lambda variable until the
   * analyser resolves it.
   */
  private static String columnName(Expression expression) {
    if (expression instanceof UnresolvedAttribute column && column.nameParts().size() == 1) {
      return column.name();
    }
    if (expression instanceof UnresolvedNamedLambdaVariable variable
        && variable.nameParts().size() == 1) {
      return variable.name();
    }
    return "";
  }

  /** Every window expression of a tree. */
  private static final class WindowCollector
      extends scala.runtime.AbstractPartialFunction<Expression, Expression> {
    @Override
    public boolean isDefinedAt(Expression e) {
      return e instanceof WindowExpression;
    }

    @Override
    public Expression apply(Expression e) {
      return e;
    }
  }

  /** A subquery in an expression reads a table: only silver.events, in FROM, may be read. */
  private void refuseReads(Expression expression) {
    if (expression.find(e -> e instanceof SubqueryExpression).isDefined()) {
      throw refused(
          "its expression "
              + quoted(expression)
              + " has a subquery; a gold table reads silver.events alone, in its FROM");
    }
  }

  private List<GoldColumn> columns(
      scala.collection.immutable.Seq<ColumnDefinition> declared, List<ColumnSql> computed) {
    List<ColumnDefinition> definitions = CollectionConverters.asJava(declared);
    List<String> names = computed.stream().map(ColumnSql::name).toList();
    List<String> declaredNames = definitions.stream().map(ColumnDefinition::name).toList();
    if (!declaredNames.equals(names)) {
      throw refused(
          "it declares the columns "
              + declaredNames
              + " where its SELECT gives "
              + names
              + "; declare each column the SELECT gives, in its order, as <name> <TYPE> COMMENT"
              + " '...'");
    }
    List<GoldColumn> columns = new ArrayList<>();
    for (int i = 0; i < definitions.size(); i++) {
      ColumnDefinition definition = definitions.get(i);
      String description = definition.comment().isDefined() ? definition.comment().get() : "";
      if (description.isBlank()) {
        throw refused(
            "its column " + definition.name() + " has no COMMENT '...' saying what it holds");
      }
      columns.add(new GoldColumn(computed.get(i).sql, description, definition.dataType()));
    }
    return columns;
  }

  private List<String> partitionBy(scala.collection.immutable.Seq<Transform> transforms) {
    List<String> columns = new ArrayList<>();
    for (Transform transform : CollectionConverters.asJava(transforms)) {
      if (!(transform instanceof IdentityTransform identity)) {
        throw refused(
            "it is PARTITIONED BY " + transform.describe() + "; partition by a DATE column alone");
      }
      columns.add(identity.ref().describe());
    }
    return columns;
  }

  /** A select item's name: its alias, or the bare column it is. */
  private static String itemName(Expression item) {
    if (item instanceof Alias alias) {
      return alias.name();
    }
    if (item instanceof UnresolvedAttribute column && column.nameParts().size() == 1) {
      return column.name();
    }
    return "";
  }

  /** A select item's SQL as written, ending in {@code AS name}. */
  private String itemSql(Expression item) {
    String name = itemName(item);
    if (name.isEmpty()) {
      throw refused("its select item " + quoted(item) + " has no name; end it with AS <name>");
    }
    return item instanceof Alias alias ? sql(alias.child()) + " AS " + name : name;
  }

  /**
   * The text an expression was parsed from. The parser's origin of some expressions covers part of
   * it (that of {@code a IS NOT NULL} is {@code IS NOT NULL}), so the text runs from the first of
   * its nodes' origins to the shortest end that parses to the same expression.
   */
  private String sql(Expression expression) {
    int[] span = span(expression);
    for (int end = span[1]; span[0] >= 0 && end <= text.length(); end++) {
      String candidate = text.substring(span[0], end);
      if (parsesTo(candidate, expression)) {
        return candidate;
      }
    }
    throw refused("its expression " + expression.sql() + " cannot be read back from its text");
  }

  /** An expression's text as its nodes' origins span it, for messages. */
  private String quoted(Expression expression) {
    int[] span = span(expression);
    return span[0] < 0 ? expression.sql() : text.substring(span[0], span[1]);
  }

  /**
   * The first start and the last end (exclusive) of an expression's nodes' origins; a Scala object
   * (an unspecified window frame) is one instance for every parse, with the origin of its first.
   */
  private static int[] span(Expression expression) {
    int[] span = {Integer.MAX_VALUE, -1};
    expression.foreach(
        node -> {
          var origin = node.origin();
          if (!node.getClass().getName().endsWith("$")
              && origin.startIndex().isDefined()
              && origin.stopIndex().isDefined()) {
            span[0] = Math.min(span[0], (Integer) origin.startIndex().get());
            span[1] = Math.max(span[1], (Integer) origin.stopIndex().get() + 1);
          }
          return null;
        });
    return span[1] < 0 ? new int[] {-1, -1} : span;
  }

  private boolean parsesTo(String candidate, Expression expression) {
    try {
      return parser.parseExpression(candidate).equals(expression);
    } catch (Exception e) { // ParseException, which Scala does not declare: not there yet
      return false;
    }
  }

  private static String describe(LogicalPlan plan) {
    return plan instanceof UnresolvedRelation relation
        ? String.join(".", CollectionConverters.asJava(relation.multipartIdentifier()))
        : "a " + plan.nodeName();
  }

  private static List<String> lower(List<String> parts) {
    return parts.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
  }

  private static String firstLine(String message) {
    String trimmed = message == null ? "" : message.strip();
    int newline = trimmed.indexOf('\n');
    return newline < 0 ? trimmed : trimmed.substring(0, newline);
  }

  private MedallionException refused(String why) {
    return Errors.usage("Cannot declare the gold table of " + source + ": " + why);
  }
}
