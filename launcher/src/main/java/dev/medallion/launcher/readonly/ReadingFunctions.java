package dev.medallion.launcher.readonly;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry$;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The expressions a read-only plan may hold: Spark's built-in functions (as its function registry
 * lists them, so a Spark upgrade's new built-ins are read like the old ones) except those that run
 * code of the caller's choosing, and the expressions the analyzer itself builds around them.
 * Anything else (a Scala, Java, Python or SQL user-defined function, a Hive UDF, an expression of
 * an extension) is refused: its class is on neither list.
 */
final class ReadingFunctions {
  private static final String EXPRESSIONS = "org.apache.spark.sql.catalyst.expressions.";

  /** Built-ins that call any static Java method the caller names: {@code reflect}, ... */
  static final List<String> CODE_RUNNING = List.of("reflect", "java_method", "try_reflect");

  /**
   * Expressions that are not functions of their own but what the analyzer makes of a query:
   * columns, aliases, literals, subqueries, lambdas, window frames, aggregate wrappers, field
   * access and the conversions it inserts. Each was seen in the analyzed plan of a query that only
   * reads (the unit tests hold the examples).
   */
  private static final List<String> ANALYZER_EXPRESSIONS =
      List.of(
          "AttributeReference",
          "Alias",
          "Literal",
          "SortOrder",
          "aggregate.AggregateExpression",
          "aggregate.PivotFirst",
          "WindowExpression",
          "WindowSpecDefinition",
          "SpecifiedWindowFrame",
          "UnspecifiedFrame$",
          "CurrentRow$",
          "UnboundedPreceding$",
          "UnboundedFollowing$",
          "LambdaFunction",
          "NamedLambdaVariable",
          "Exists",
          "InSubquery",
          "ListQuery",
          "ScalarSubquery",
          "LateralSubquery",
          "OuterReference",
          "GetStructField",
          "GetArrayItem",
          "GetMapValue",
          "GetArrayStructFields",
          "CreateNamedStruct",
          "CommonExpressionDef",
          "CommonExpressionRef",
          "With",
          "KnownNullable",
          "KnownNotNull",
          "PreciseTimestampConversion",
          "TimestampAddInterval",
          "DateAddInterval",
          "Cast");

  /**
   * What the registry's builders make: a built-in registered through a builder (one name for
   * several arities or argument types) names the builder in its {@code ExpressionInfo}, not the
   * expressions it builds. Simple names, of classes in Spark's expressions packages.
   */
  private static final Set<String> BUILT_BY_REGISTRY =
      Set.of(
          "Ceil",
          "RoundCeil",
          "Floor",
          "RoundFloor",
          "Collate",
          "Contains",
          "StartsWith",
          "EndsWith",
          "BinaryPredicate",
          "CountMinSketchAgg",
          "Explode",
          "PosExplode",
          "Inline",
          "Hour",
          "Minute",
          "Second",
          "ParseJson",
          "VariantGet",
          "BinaryPad",
          "StringLPad",
          "StringRPad",
          "MakeTimestamp",
          "MakeTimestampNTZ",
          "MakeTimestampFromDateTime",
          "TryMakeTimestamp",
          "TryMakeTimestampFromDateTime",
          "TryEval",
          "Mask",
          "MaxBy",
          "MinBy",
          "MaxMinByK",
          "Mode",
          "PercentileCont",
          "PercentileDisc",
          "RaiseError",
          "TimeBucket",
          "ToCharacter",
          "TupleSketchAggDouble",
          "TupleSketchAggInteger",
          "TupleUnionInteger",
          "TupleUnionDouble",
          "TupleUnionThetaInteger",
          "TupleUnionThetaDouble",
          "TupleUnionAggInteger",
          "TupleUnionAggDouble",
          "ResolvedCollation");

  private static final Set<String> ALLOWED = allowed();

  private ReadingFunctions() {}

  /** Whether {@code expression} is of a kind that only computes a value from its inputs. */
  static boolean allows(Expression expression) {
    Class<?> type = expression.getClass();
    return ALLOWED.contains(type.getName())
        || (type.getName().startsWith(EXPRESSIONS)
            && BUILT_BY_REGISTRY.contains(type.getSimpleName()));
  }

  private static Set<String> allowed() {
    Set<String> builtIn = new HashSet<>();
    Set<String> codeRunning = new HashSet<>();
    CollectionConverters.asJava(FunctionRegistry$.MODULE$.expressions())
        .forEach(
            (name, entry) -> {
              ExpressionInfo info = entry._1();
              (CODE_RUNNING.contains(name) ? codeRunning : builtIn).add(info.getClassName());
            });
    builtIn.removeAll(codeRunning);
    ANALYZER_EXPRESSIONS.forEach(simpleName -> builtIn.add(EXPRESSIONS + simpleName));
    return Set.copyOf(builtIn);
  }
}
