package dev.medallion.silver;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_from_unix_date;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.timestamp_millis;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import dev.medallion.common.config.Expectation;
import dev.medallion.common.table.EventSchema;
import dev.medallion.common.table.SilverColumns;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Bronze rows to silver events and quarantine rows. Pure functions of their inputs: no IO, so they
 * run the same in a streaming micro-batch, a quarantine replay and a reconciliation.
 *
 * <p>Validation reads each value once, with {@link EventParser}: one pass that yields the typed
 * event and its unknown fields. A value of another shape than producers send is read by Spark's
 * typed JSON reader instead, and only values that reader rejects are read again, as a VARIANT, to
 * say precisely why.
 */
public final class SilverTransforms {
  static final List<String> KNOWN_FIELDS = EventSchema.FIELDS;
  private static final String CORRUPT = "_corrupt_record";
  private static final String BYTE_ORDER_MARK = "\uFEFF";
  static final StructType EVENT_SCHEMA = EventSchema.SCHEMA.add(CORRUPT, DataTypes.StringType);
  private static final String KNOWN_ARRAY = "array('" + String.join("','", KNOWN_FIELDS) + "')";
  private static final long MILLIS_PER_HOUR = 3_600_000L;
  private static final long MILLIS_PER_DAY = 86_400_000L;
  private static final Column NO_STRINGS = expr("CAST(array() AS array<string>)");
  private static final UserDefinedFunction PARSE_EVENT =
      udf(new EventParser(), EventParser.RESULT).withName("parse_event");

  /** The warn and fail expectations a valid record breaks, by name. */
  static final String BROKEN = "expectations_broken";

  private SilverTransforms() {}

  /**
   * Adds to bronze rows: {@code _p} (the parsed event), {@code reasons} (empty for a valid event),
   * {@code extra} (JSON of fields the schema does not know, or null) and {@link #BROKEN}. Total:
   * every value, including a null one, gets a result, and nothing here but an expectation's
   * predicate that raises an error (a failing CAST; use try_cast) can fail the batch.
   */
  public static Dataset<Row> classify(Dataset<Row> bronze, ValidationRules rules) {
    return classify(bronze, rules, true);
  }

  /**
   * As {@link #classify(Dataset, ValidationRules)}; without {@code onePass}, every record is read
   * by Spark's reader, so a test can hold the two paths to the same answers.
   */
  static Dataset<Row> classify(Dataset<Row> bronze, ValidationRules rules, boolean onePass) {
    Column fast = onePass ? PARSE_EVENT.apply(col("value")) : lit(null).cast(EventParser.RESULT);
    Dataset<Row> parsed =
        bronze
            .withColumn("_text", col("value").cast(DataTypes.StringType))
            .withColumn("_utf8", coalesce(expr("is_valid_utf8(_text)"), lit(false)))
            // The JSON text: a leading byte order mark is ignored, as RFC 8259 allows (and as the
            // one-pass parser does), so it cannot make a record valid on one path only.
            .withColumn(
                "_json",
                when(col("_text").startsWith(BYTE_ORDER_MARK), expr("substr(_text, 2)"))
                    .otherwise(col("_text")))
            .withColumn("_fast", when(col("_utf8"), fast))
            .withColumn(
                "_p",
                when(col("_fast").isNotNull(), col("_fast.event"))
                    .otherwise(
                        from_json(
                            col("_json"),
                            EVENT_SCHEMA,
                            Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT))))
            .withColumn(
                "_rejected", expr("_utf8 AND (_p IS NULL OR _p." + CORRUPT + " IS NOT NULL)"))
            // Second read, as VARIANT, only for what the typed parser rejected.
            .withColumn("_v", expr("CASE WHEN _rejected THEN try_parse_json(_json) END"))
            .withColumn(
                "_object",
                expr(
                    "_utf8 AND (NOT _rejected OR (_v IS NOT NULL AND coalesce(schema_of_variant(_v)"
                        + " LIKE 'OBJECT%', false)))"))
            .withColumn(
                "_revenue_type",
                expr(
                    "CASE WHEN _rejected AND _object THEN schema_of_variant(variant_get(_v,"
                        + " '$.revenue')) END"))
            .withColumn(
                "_ts_type",
                expr(
                    "CASE WHEN _rejected AND _object THEN schema_of_variant(variant_get(_v,"
                        + " '$.timestamp')) END"))
            .withColumn("_event_id", field("event_id", "string"))
            .withColumn("_event_type", field("event_type", "string"))
            .withColumn("_timestamp", field("timestamp", "bigint"))
            .withColumn("_revenue", field("revenue", "double"));
    List<ValidationRule> ruleList = rules.rules();
    List<Column> broken =
        ruleList.stream().map(rule -> coalesce(rule.failsWhen(), lit(false))).toList();
    Column[] reasonOrNull = new Column[ruleList.size()];
    for (int i = 0; i < reasonOrNull.length; i++) {
      reasonOrNull[i] = when(broken.get(i), lit(ruleList.get(i).reason()));
    }
    Column anyRuleBroken = broken.stream().reduce(Column::or).orElseThrow();
    Column extra =
        expr(
            "CASE WHEN _fast IS NOT NULL THEN _fast.extra"
                + " WHEN NOT _rejected AND _utf8 AND exists(json_object_keys(_json), k -> NOT"
                + " array_contains("
                + KNOWN_ARRAY
                + ", k)) THEN to_json(map_filter(from_json(_json, 'map<string,string>'), (k, v) ->"
                + " NOT array_contains("
                + KNOWN_ARRAY
                + ", k)))"
                + " END");
    Dataset<Row> checked =
        parsed
            // Most records break no rule: the rules' plain OR (compiled) spares them the array
            // filter (interpreted).
            .withColumn(
                "_reasons",
                when(anyRuleBroken, filter(array(reasonOrNull), Column::isNotNull))
                    .otherwise(NO_STRINGS))
            // A record the typed parser rejected for a reason none of the rules names is malformed.
            .withColumn(
                "reasons",
                when(
                        size(col("_reasons")).equalTo(0).and(col("_rejected")),
                        array(lit(ValidationRules.MALFORMED_JSON)))
                    .otherwise(col("_reasons")))
            .withColumn("extra", extra)
            .drop(
                "_fast",
                "_json",
                "_v",
                "_reasons",
                "_revenue_type",
                "_ts_type",
                "_event_id",
                "_event_type",
                "_timestamp",
                "_revenue");
    return judge(checked, rules);
  }

  /**
   * What the writes need of a classified batch, to hold in memory between them: the parsed event
   * for valid records, the raw bytes and text only for rejected ones (about 1% of a batch).
   */
  public static Dataset<Row> slim(Dataset<Row> classified) {
    return classified.select(
        expr("CASE WHEN size(reasons) > 0 THEN value END").as("value"),
        expr("CASE WHEN size(reasons) > 0 THEN _text END").as("_text"),
        col("_utf8"),
        expr("CASE WHEN size(reasons) = 0 THEN _p END").as("_p"),
        col("reasons"),
        col("extra"),
        col(BROKEN),
        col("topic"),
        col("partition"),
        col("offset"),
        col("kafka_timestamp"),
        col("ingested_at"));
  }

  /** A field of the event, from the typed parse, or from the VARIANT read for rejected rows. */
  private static Column field(String name, String type) {
    return expr(
        "CASE WHEN _rejected THEN try_variant_get(_v, '$."
            + name
            + "', '"
            + type
            + "') ELSE _p."
            + name
            + " END");
  }

  /** Valid events with derived columns; {@code fxRate} converts revenue to revenue_usd. */
  public static Dataset<Row> validEvents(Dataset<Row> classified, BigDecimal fxRate) {
    return classified
        .where("size(reasons) = 0")
        .select(
            eventColumns(fxRate).entrySet().stream()
                .map(column -> column.getValue().as(column.getKey()))
                .toArray(Column[]::new));
  }

  /**
   * A silver event's own columns (before reference data), by name, computed from a classified row.
   * Defined only for valid rows: on others, the casts can fail.
   */
  private static Map<String, Column> eventColumns(BigDecimal fxRate) {
    Map<String, Column> columns = new LinkedHashMap<>();
    columns.put(SilverColumns.EVENT_ID, col("_p.event_id"));
    columns.put(SilverColumns.USER_ID, col("_p.user_id"));
    columns.put(SilverColumns.SESSION_ID, col("_p.session_id"));
    columns.put(SilverColumns.EVENT_TYPE, col("_p.event_type"));
    columns.put(SilverColumns.PRODUCT_ID, col("_p.product_id"));
    columns.put(SilverColumns.REVENUE, col("_p.revenue"));
    columns.put(
        SilverColumns.REVENUE_USD,
        expr(
            "CAST(CAST(_p.revenue AS DECIMAL(20,6)) * CAST("
                + fxRate.toPlainString()
                + " AS DECIMAL(20,6)) AS DECIMAL(20,6))"));
    columns.put(SilverColumns.EVENT_TIME, timestamp_millis(col("_p.timestamp")));
    columns.put("metadata", col("_p.metadata"));
    columns.put("extra", col("extra"));
    columns.put("kafka_timestamp", col("kafka_timestamp"));
    columns.put(SilverColumns.SOURCE_TOPIC, col("topic"));
    columns.put(SilverColumns.SOURCE_PARTITION, col("partition"));
    columns.put(SilverColumns.SOURCE_OFFSET, col("offset"));
    columns.put("ingested_at", col("ingested_at"));
    // UTC by arithmetic on epoch millis: the same whatever the session or JVM time zone.
    columns.put(SilverColumns.EVENT_DATE, date_from_unix_date(eventDay()));
    columns.put(
        SilverColumns.EVENT_HOUR,
        timestamp_millis(
            col("_p.timestamp").minus(pmod(col("_p.timestamp"), lit(MILLIS_PER_HOUR)))));
    return columns;
  }

  /**
   * A valid classified row's event date as days since 1970-01-01 (UTC), for silver's {@code
   * event_date} and the dates a batch's MERGE names.
   */
  static Column eventDay() {
    return floor(col("_p.timestamp").divide(MILLIS_PER_DAY)).cast(DataTypes.IntegerType);
  }

  /**
   * Judges the records the rules passed by the operator's expectations: one an expectation with the
   * quarantine action rejects gets its name as reason; {@code expectations_broken} lists the warn
   * and fail expectations a valid record breaks (empty for every other record).
   */
  private static Dataset<Row> judge(Dataset<Row> classified, ValidationRules rules) {
    if (rules.expectations().isEmpty()) {
      return classified.withColumn(BROKEN, NO_STRINGS);
    }
    Column valid = size(col("reasons")).equalTo(0);
    List<String> present = List.of(classified.columns());
    Map<String, Column> added = new LinkedHashMap<>();
    eventColumns(rules.fxRate())
        .forEach(
            (name, column) -> {
              if (!present.contains(name)) {
                added.put(name, when(valid, column));
              }
            });
    Dataset<Row> judged = classified.withColumns(added);
    List<Expectation> quarantining = rules.expectations(Expectation.Action.QUARANTINE);
    if (!quarantining.isEmpty()) {
      judged =
          judged.withColumn(
              "reasons", when(valid, namesOfBroken(quarantining)).otherwise(col("reasons")));
    }
    List<Expectation> checked = rules.checkedExpectations();
    return judged
        .withColumn(
            BROKEN,
            checked.isEmpty()
                ? NO_STRINGS
                : when(valid, namesOfBroken(checked)).otherwise(NO_STRINGS))
        .drop(added.keySet().toArray(String[]::new));
  }

  private static Column namesOfBroken(List<Expectation> expectations) {
    return filter(
        array(
            expectations.stream().map(e -> when(e.broken(), lit(e.name()))).toArray(Column[]::new)),
        Column::isNotNull);
  }

  /** The event ids that more than one row of {@code events} carries, as {@code _repeated_id}. */
  public static Dataset<Row> repeatedEventIds(Dataset<Row> events) {
    return events
        .groupBy("event_id")
        .count()
        .where("count > 1")
        .select(col("event_id").as("_repeated_id"));
  }

  /**
   * The first ingested row of each event_id: by Kafka timestamp, then topic, partition, offset.
   * Only ids seen more than once in the batch ({@code repeatedIds}, from {@link #repeatedEventIds}:
   * a few percent) are ranked; the rest pass straight through, so the batch's rows are not shuffled
   * and sorted for the few that repeat when the caller broadcasts the ids.
   */
  public static Dataset<Row> firstPerEventId(Dataset<Row> events, Dataset<Row> repeatedIds) {
    Column isRepeated = events.col("event_id").equalTo(repeatedIds.col("_repeated_id"));
    Dataset<Row> once = events.join(repeatedIds, isRepeated, "left_anti");
    Dataset<Row> firstOfRepeated =
        events
            .join(repeatedIds, isRepeated, "left_semi")
            .withColumn(
                "_rank",
                row_number()
                    .over(
                        Window.partitionBy("event_id")
                            .orderBy(
                                "kafka_timestamp",
                                "source_topic",
                                "source_partition",
                                "source_offset")))
            .where("_rank = 1")
            .drop("_rank");
    return once.unionByName(firstOfRepeated);
  }

  /** Joins product reference data (small: broadcast); events without a match keep null columns. */
  public static Dataset<Row> enrich(Dataset<Row> events, Dataset<Row> products) {
    return events
        .join(
            broadcast(products),
            events.col("product_id").equalTo(products.col("ref_product_id")),
            "left")
        .drop("ref_product_id");
  }

  /** Invalid records as quarantine rows: raw bytes, reasons and bronze coordinates. */
  public static Dataset<Row> quarantineRows(Dataset<Row> classified) {
    return classified
        .where("size(reasons) > 0")
        .select(
            col("value"),
            expr("CASE WHEN _utf8 THEN _text END").as("value_text"),
            col("reasons"),
            expr("split_part(reasons[0], ':', 1)").as("reason"),
            expr("array_join(reasons, '; ')").as("detail"),
            col("topic"),
            col("partition"),
            col("offset"),
            col("kafka_timestamp"),
            col("ingested_at"),
            expr("current_timestamp()").as("quarantined_at"));
  }
}
