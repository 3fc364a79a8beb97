package dev.medallion.common.config;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

import dev.medallion.common.error.Errors;
import dev.medallion.common.error.MedallionException;
import dev.medallion.common.table.CoreTables;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A data-quality rule an operator declares in configuration, beside the validation rules built into
 * silver: {@code expect.<layer>.<table>.<name> = <action>: <SQL predicate>}, e.g. {@code
 * expect.silver.events.revenue_non_negative = quarantine: revenue_usd >= 0}. A row breaks it when
 * the predicate is false; NULL is not a violation (as in a CHECK constraint), so {@code col IS NOT
 * NULL AND ...} requires a value.
 *
 * @param table the table's SQL name, e.g. {@code silver.events}
 * @param name the expectation's name, in lower_snake_case: the ledger's key and the quarantine's
 *     reason
 * @param action what a row that breaks it does to the run
 * @param predicate the SQL predicate every row should meet, over the table's columns
 */
public record Expectation(String table, String name, Action action, String predicate) {
  /** Keys under this prefix declare expectations. */
  public static final String PREFIX = "expect.";

  /** The shape of a value, for messages. */
  public static final String VALUE_SHAPE = "'<warn|quarantine|fail>: <SQL predicate>'";

  private static final Pattern KEY =
      Pattern.compile("expect\\.([a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*)\\.([a-z][a-z0-9_]*)");
  private static final Pattern VALUE = Pattern.compile("(?s)\\s*([A-Za-z]+)\\s*:\\s*(\\S.*)");

  /** What a row that breaks an expectation does to the run. */
  public enum Action {
    /** Counted in the run ledger and raised as a warning; the row is written. */
    WARN,
    /** The row goes to the quarantine with the expectation's name as its reason (silver only). */
    QUARANTINE,
    /** The run fails before committing the batch that holds the row. */
    FAIL;

    String word() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The action a config value names ({@code warn}, any case), or null for none. */
    public static Action named(String word) {
      for (Action action : values()) {
        if (action.word().equals(word.trim().toLowerCase(Locale.ROOT))) {
          return action;
        }
      }
      return null;
    }
  }

  /** The key this expectation is declared under. */
  public String key() {
    return PREFIX + table + "." + name;
  }

  /** True for a row that breaks the expectation (never null). */
  public Column broken() {
    return not(coalesce(expr(predicate), lit(true)));
  }

  /** How the ledger and messages name it: {@code silver.events.revenue_non_negative}. */
  public String qualifiedName() {
    return table + "." + name;
  }

  /** Every expectation the configuration declares, in key order. */
  public static List<Expectation> declared(MedallionConfig config) {
    return config.raw().entrySet().stream()
        .filter(entry -> entry.getKey().startsWith(PREFIX))
        .map(entry -> parse(entry.getKey(), entry.getValue(), "config"))
        .toList();
  }

  /** The expectations declared on one table, e.g. {@code silver.events}. */
  public static List<Expectation> on(MedallionConfig config, String table) {
    return declared(config).stream().filter(e -> e.table().equals(table)).toList();
  }

  /**
   * Parses one declaration, refusing a key or value of the wrong shape with a message that names it
   * and says where it came from.
   */
  static Expectation parse(String key, String value, String source) {
    Matcher keyParts = KEY.matcher(key);
    if (!keyParts.matches()) {
      throw Errors.usage(
          String.format(
              "Invalid expectation key '%s' (%s): expected expect.<layer>.<table>.<name>, e.g."
                  + " expect.silver.events.revenue_non_negative, with a lower_snake_case name",
              key, source));
    }
    Matcher valueParts = VALUE.matcher(value);
    Action action = valueParts.matches() ? Action.named(valueParts.group(1)) : null;
    if (action == null) {
      throw Errors.invalidConfigValue(key, value, source, VALUE_SHAPE);
    }
    String table = keyParts.group(1);
    if (action == Action.QUARANTINE && !table.equals(CoreTables.SILVER_EVENTS.sqlName())) {
      throw Errors.invalidConfigValue(
          key,
          value,
          source,
          "warn or fail: only silver.events has a quarantine (a gold row is an aggregate)");
    }
    return new Expectation(table, keyParts.group(2), action, valueParts.group(2).trim());
  }

  /**
   * Refuses an expectation whose predicate does not parse, or does not resolve to a boolean over
   * {@code rows}' columns (the table's columns, on no rows), before a run reads anything.
   */
  public void checkAgainst(Dataset<Row> rows) {
    try {
      rows.where(broken()).schema();
    } catch (Exception e) { // Spark's AnalysisException: checked, and not declared by Scala
      throw Errors.usage(
          String.format(
              "Cannot use the expectation %s ('%s'): %s. It is a SQL predicate over the columns of"
                  + " %s: %s",
              key(),
              predicate,
              Errors.firstLine(e.getMessage()),
              table,
              String.join(", ", rows.columns())));
    }
  }

  /**
   * This expectation, whose action is to fail, broken: the batch is not committed, and the layer
   * stops at it (its records are read again by the next run) until the data or the expectation
   * changes.
   */
  public MedallionException failed(long rows, String batch) {
    return Errors.jobFailed(
        String.format(
            "Stopped before committing %s of %s: %d rows break the expectation %s (fail: %s);"
                + " nothing of the batch was written, and the next run reads it again. Fix the"
                + " data at its source, or change %s (warn, or quarantine for silver.events), then"
                + " rerun",
            batch, table(), rows, qualifiedName(), predicate(), key()),
        null);
  }
}
