package dev.medallion.silver;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.unix_millis;

import dev.medallion.common.config.Expectation;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import dev.medallion.common.table.CoreTables;
import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;

/**
 * Silver's validation rules, as data: each is one entry in {@link #rules()}, compiled into the
 * batch's {@code reasons} column. The rules depend on the record and its ingestion time only, so a
 * batch replayed after a crash, a quarantine replay and a reconciliation all judge a record the way
 * the first run did.
 *
 * @param futureToleranceHours a timestamp more than this after the record's ingestion is rejected
 * @param fxRate the revenue conversion rate; a revenue whose converted value does not fit silver's
 *     {@code DECIMAL(20,6)} is rejected instead of failing the batch
 * @param expectations the operator's expectations on silver.events ({@code
 *     expect.silver.events.*}), judged on the records that pass the rules
 */
public record ValidationRules(
    int futureToleranceHours, BigDecimal fxRate, List<Expectation> expectations) {
  /**
   * Reason codes stored in the quarantine's {@code reasons} as {@code CODE} or {@code CODE:field}.
   */
  public static final String NULL_VALUE = "NULL_VALUE";

  public static final String INVALID_UTF8 = "INVALID_UTF8";
  public static final String MALFORMED_JSON = "MALFORMED_JSON";
  public static final String WRONG_TYPE = "WRONG_TYPE";
  public static final String MISSING_REQUIRED_FIELD = "MISSING_REQUIRED_FIELD";
  public static final String TIMESTAMP_OUT_OF_RANGE = "TIMESTAMP_OUT_OF_RANGE";
  public static final String REVENUE_OUT_OF_RANGE = "REVENUE_OUT_OF_RANGE";

  /** 2000-01-01T00:00:00Z: anything earlier is almost surely epoch seconds sent as millis. */
  public static final long MIN_TIMESTAMP_MILLIS = 946_684_800_000L;

  /**
   * The largest revenue, before and after conversion, that silver's DECIMAL(20,6) holds with room
   * to round.
   */
  static final double MAX_REVENUE = 99_999_999_999_999d;

  public ValidationRules {
    if (futureToleranceHours < 0) {
      throw new IllegalArgumentException(
          "Cannot validate with a negative future tolerance: " + futureToleranceHours);
    }
    if (fxRate == null || fxRate.signum() <= 0) {
      throw new IllegalArgumentException(
          "Cannot convert revenue with the rate " + fxRate + ": it must be positive");
    }
    expectations = List.copyOf(expectations);
  }

  /** The built-in rules alone, with no expectations. */
  public ValidationRules(int futureToleranceHours, BigDecimal fxRate) {
    this(futureToleranceHours, fxRate, List.of());
  }

  /** The rules as configured ({@code silver.future.tolerance.hours}, {@code silver.fx.rate}). */
  public static ValidationRules from(MedallionConfig config) {
    return new ValidationRules(
        config.get(Settings.SILVER_FUTURE_TOLERANCE_HOURS),
        config.get(Settings.SILVER_FX_RATE),
        Expectation.on(config, CoreTables.SILVER_EVENTS.sqlName()));
  }

  /**
   * The reason codes the quarantine's {@code reason} column can hold: the rules' in rule order,
   * then the names of the expectations whose action is to quarantine.
   */
  public List<String> reasonCodes() {
    return Stream.concat(
            rules().stream().map(rule -> rule.reason().split(":")[0]).distinct(),
            expectations(Expectation.Action.QUARANTINE).stream().map(Expectation::name))
        .toList();
  }

  /** The expectations judged row by row without rejecting a row: warn, then fail. */
  public List<Expectation> checkedExpectations() {
    return Stream.concat(
            expectations(Expectation.Action.WARN).stream(),
            expectations(Expectation.Action.FAIL).stream())
        .toList();
  }

  /** The expectations with this action. */
  public List<Expectation> expectations(Expectation.Action action) {
    return expectations.stream().filter(e -> e.action() == action).toList();
  }

  /** Every rule, in the order reasons are listed. */
  public List<ValidationRule> rules() {
    Column object = col("_object");
    Column revenueType = col("_revenue_type");
    Column timestampType = col("_ts_type");
    Column timestamp = col("_timestamp");
    Column revenue = col("_revenue");
    Column ingestedMillis = unix_millis(coalesce(col("ingested_at"), col("kafka_timestamp")));
    long toleranceMillis = futureToleranceHours * 3_600_000L;
    return List.of(
        new ValidationRule(
            NULL_VALUE,
            col("value").isNull(),
            "the Kafka record has no value (a tombstone of a compacted or CDC topic): it carries no"
                + " event, and is kept in the quarantine so that every offset is accounted for"),
        new ValidationRule(
            INVALID_UTF8,
            col("value").isNotNull().and(not(col("_utf8"))),
            "the value is not valid UTF-8 (bronze keeps the exact bytes)"),
        new ValidationRule(
            MALFORMED_JSON,
            col("_utf8").and(not(object)),
            "not one JSON object: not JSON, empty, truncated, a top-level array (even of events),"
                + " nested deeper than the parser allows (1,000 levels), or too large to inspect"
                + " (over 16 MB)"),
        new ValidationRule(
            WRONG_TYPE + ":revenue",
            object
                .and(revenueType.isNotNull())
                .and(not(revenueType.isin("VOID", "BIGINT", "DOUBLE", "FLOAT")))
                .and(not(revenueType.startsWith("DECIMAL"))),
            "`revenue` is not a number"),
        new ValidationRule(
            WRONG_TYPE + ":timestamp",
            object.and(timestampType.isNotNull()).and(not(timestampType.isin("VOID", "BIGINT"))),
            "`timestamp` is not a whole number of epoch milliseconds that fits a long"),
        new ValidationRule(
            MISSING_REQUIRED_FIELD + ":event_id",
            object.and(blank(col("_event_id"))),
            "`event_id` is missing, null or blank"),
        new ValidationRule(
            MISSING_REQUIRED_FIELD + ":event_type",
            object.and(blank(col("_event_type"))),
            "`event_type` is missing, null or blank"),
        new ValidationRule(
            MISSING_REQUIRED_FIELD + ":timestamp",
            object
                .and(timestamp.isNull())
                .and(coalesce(timestampType, lit("VOID")).equalTo("VOID")),
            "`timestamp` is missing or null"),
        new ValidationRule(
            TIMESTAMP_OUT_OF_RANGE,
            object.and(
                timestamp
                    .lt(MIN_TIMESTAMP_MILLIS)
                    .or(timestamp.gt(ingestedMillis.plus(toleranceMillis)))),
            "before 2000-01-01T00:00Z (epoch seconds sent as millis) or more than"
                + " `silver.future.tolerance.hours` after the record was ingested into bronze"),
        new ValidationRule(
            REVENUE_OUT_OF_RANGE,
            object
                .and(revenue.isNotNull())
                .and(
                    isnan(revenue)
                        .or(abs(revenue).geq(MAX_REVENUE))
                        .or(abs(revenue).multiply(fxRate.doubleValue()).geq(MAX_REVENUE))),
            "`revenue` is `NaN`, `Infinity`, or (before or after `silver.fx.rate`) beyond"
                + " ±99,999,999,999,999, which `revenue_usd`'s `decimal(20,6)` cannot hold"));
  }

  private static Column blank(Column field) {
    return field.isNull().or(trim(field).equalTo(""));
  }
}
