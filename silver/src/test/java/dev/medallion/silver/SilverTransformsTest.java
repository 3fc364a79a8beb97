package dev.medallion.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.from_json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.common.table.EventSchema;
import dev.medallion.sample.events.EventGenerator;
import dev.medallion.sample.events.GeneratedRecord;
import dev.medallion.sample.events.GeneratorSpec;
import dev.medallion.sample.events.RecordKind;
import dev.medallion.testkit.testing.TestSpark;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Validation rules on tiny frames: each bad kind gets its reason, valid neighbours pass. */
class SilverTransformsTest {
  private static final long NOW = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  private static final ValidationRules RULES = new ValidationRules(24, new BigDecimal("1.08"));
  private static final StructType BRONZE =
      new StructType()
          .add("value", DataTypes.BinaryType)
          .add("topic", DataTypes.StringType)
          .add("partition", DataTypes.IntegerType)
          .add("offset", DataTypes.LongType)
          .add("kafka_timestamp", DataTypes.TimestampType)
          .add("ingested_at", DataTypes.TimestampType);
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = TestSpark.session(TestSpark.config(Map.of()));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static String event(String id, String fieldsAfterId) {
    return "{\"event_id\":" + id + "," + fieldsAfterId + "}";
  }

  private static final String OK_REST =
      "\"user_id\":\"u-1\",\"session_id\":\"s-1\",\"event_type\":\"purchase\",\"product_id\":\"p-1\",\"revenue\":10.5,\"timestamp\":"
          + NOW
          + ",\"metadata\":\"m\"";

  @Test
  void everyRuleGivesItsReasonAndValidNeighboursPass() {
    Map<String, byte[]> values = new java.util.LinkedHashMap<>();
    values.put("valid", utf8(event("\"ok-1\"", OK_REST)));
    values.put("valid-int-revenue", utf8(event("\"ok-2\"", OK_REST.replace("10.5", "10"))));
    values.put("not-json", utf8("hello"));
    values.put("truncated", utf8("{\"event_id\":\"x\",\"event_type\":\"purch"));
    values.put("array", utf8("[\"x\"]"));
    values.put("missing-id", utf8("{" + OK_REST + "}"));
    values.put("null-type", utf8(event("\"m-2\"", OK_REST.replace("\"purchase\"", "null"))));
    values.put("blank-type", utf8(event("\"m-3\"", OK_REST.replace("\"purchase\"", "\"   \""))));
    values.put("missing-ts", utf8(event("\"m-4\"", OK_REST.replace(",\"timestamp\":" + NOW, ""))));
    values.put("revenue-text", utf8(event("\"w-1\"", OK_REST.replace("10.5", "\"ten\""))));
    values.put(
        "ts-text", utf8(event("\"w-2\"", OK_REST.replace(String.valueOf(NOW), "\"yesterday\""))));
    values.put(
        "ts-seconds",
        utf8(event("\"t-1\"", OK_REST.replace(String.valueOf(NOW), String.valueOf(NOW / 1000)))));
    values.put(
        "ts-future",
        utf8(
            event(
                "\"t-2\"",
                OK_REST.replace(String.valueOf(NOW), String.valueOf(NOW + 25 * 3_600_000L)))));
    values.put("bad-utf8", new byte[] {'{', '"', (byte) 0xC3, 0x28, '"', '}'});
    values.put("two-problems", utf8("{" + OK_REST.replace("10.5", "\"ten\"") + "}"));

    Map<String, List<String>> reasons = reasonsByName(values);

    assertThat(reasons.get("valid")).isEmpty();
    assertThat(reasons.get("valid-int-revenue")).isEmpty();
    assertThat(reasons.get("not-json")).containsExactly("MALFORMED_JSON");
    assertThat(reasons.get("truncated")).containsExactly("MALFORMED_JSON");
    assertThat(reasons.get("array")).containsExactly("MALFORMED_JSON");
    assertThat(reasons.get("missing-id")).containsExactly("MISSING_REQUIRED_FIELD:event_id");
    assertThat(reasons.get("null-type")).containsExactly("MISSING_REQUIRED_FIELD:event_type");
    assertThat(reasons.get("blank-type")).containsExactly("MISSING_REQUIRED_FIELD:event_type");
    assertThat(reasons.get("missing-ts")).containsExactly("MISSING_REQUIRED_FIELD:timestamp");
    assertThat(reasons.get("revenue-text")).containsExactly("WRONG_TYPE:revenue");
    assertThat(reasons.get("ts-text")).containsExactly("WRONG_TYPE:timestamp");
    assertThat(reasons.get("ts-seconds")).containsExactly("TIMESTAMP_OUT_OF_RANGE");
    assertThat(reasons.get("ts-future")).containsExactly("TIMESTAMP_OUT_OF_RANGE");
    assertThat(reasons.get("bad-utf8")).containsExactly("INVALID_UTF8");
    assertThat(reasons.get("two-problems"))
        .containsExactlyInAnyOrder("WRONG_TYPE:revenue", "MISSING_REQUIRED_FIELD:event_id");
  }

  /** Whatever a producer can put in a record: each gets a reason, none fails the batch. */
  @Test
  void hostileRecordsAreQuarantinedAndNoneFailsTheBatch() {
    Map<String, byte[]> values = hostileValues();
    Dataset<Row> classified =
        SilverTransforms.classify(bronze(new ArrayList<>(values.values())), RULES);
    Map<String, List<String>> reasons = reasonsByName(values, classified);

    assertThat(reasons.get("valid")).isEmpty();
    assertThat(reasons.get("tombstone")).containsExactly("NULL_VALUE");
    for (String malformed :
        List.of(
            "empty",
            "whitespace",
            "json-null",
            "json-string",
            "json-number",
            "array-of-one-event",
            "array-of-two-events",
            "deep-array",
            "big-invalid")) {
      assertThat(reasons.get(malformed)).as(malformed).containsExactly("MALFORMED_JSON");
    }
    assertThat(reasons.get("deep-metadata")).isNotEmpty();
    assertThat(reasons.get("big-valid")).isEmpty();
    for (String revenue :
        List.of(
            "revenue-huge-integer",
            "revenue-beyond-double",
            "revenue-nan",
            "revenue-infinity",
            "revenue-minus-infinity",
            "revenue-just-too-big")) {
      assertThat(reasons.get(revenue)).as(revenue).containsExactly("REVENUE_OUT_OF_RANGE");
    }
    assertThat(reasons.get("revenue-largest")).isEmpty();
    assertThat(reasons.get("timestamp-beyond-long")).containsExactly("WRONG_TYPE:timestamp");
    assertThat(reasons.get("timestamp-fraction")).containsExactly("WRONG_TYPE:timestamp");
    assertThat(reasons.get("quote-in-id")).isEmpty();
    assertThat(reasons.get("nul-in-id")).isEmpty();
    assertThat(reasons.get("duplicate-keys")).hasSizeLessThanOrEqualTo(1);

    // Every derived column of a valid event is computed without an error (ANSI mode is on).
    List<Row> valid =
        SilverTransforms.validEvents(classified, new BigDecimal("1.08"))
            .select("event_id", "revenue_usd", "event_date")
            .collectAsList();
    assertThat(valid)
        .extracting(r -> r.getString(0))
        .contains("ok-1", "b-1", "r-7", "it's\"", "nul\u0000id");
    assertThat(valid)
        .filteredOn(r -> r.getString(0).equals("r-7"))
        .extracting(r -> r.getDecimal(1).toPlainString())
        .containsExactly("99999999999998.820000");
    assertThat(SilverTransforms.quarantineRows(classified).count())
        .isEqualTo(values.size() - valid.size());
  }

  /** Whatever a producer can put in a record, by name. */
  private static Map<String, byte[]> hostileValues() {
    String deepObject = "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000);
    String deepArray = "[".repeat(5_000) + "]".repeat(5_000);
    Map<String, byte[]> values = new LinkedHashMap<>();
    values.put("valid", utf8(event("\"ok-1\"", OK_REST)));
    values.put("tombstone", null);
    values.put("empty", new byte[0]);
    values.put("whitespace", utf8("   "));
    values.put("json-null", utf8("null"));
    values.put("json-string", utf8("\"text\""));
    values.put("json-number", utf8("42"));
    values.put("array-of-one-event", utf8("[" + event("\"a-1\"", OK_REST) + "]"));
    values.put(
        "array-of-two-events",
        utf8("[" + event("\"a-2\"", OK_REST) + "," + event("\"a-3\"", OK_REST) + "]"));
    values.put("deep-metadata", utf8(event("\"d-1\"", OK_REST.replace("\"m\"", deepObject))));
    values.put("deep-array", utf8(deepArray));
    values.put(
        "big-valid",
        utf8(event("\"b-1\"", OK_REST.replace("\"m\"", "\"" + "x".repeat(3_000_000) + "\""))));
    values.put("big-invalid", utf8("{\"blob\":\"" + "y".repeat(17_000_000) + "\""));
    values.put(
        "revenue-huge-integer",
        utf8(event("\"r-1\"", OK_REST.replace("10.5", "1" + "0".repeat(40)))));
    values.put("revenue-beyond-double", utf8(event("\"r-2\"", OK_REST.replace("10.5", "1e400"))));
    values.put("revenue-nan", utf8(event("\"r-3\"", OK_REST.replace("10.5", "NaN"))));
    values.put("revenue-infinity", utf8(event("\"r-4\"", OK_REST.replace("10.5", "Infinity"))));
    values.put(
        "revenue-minus-infinity", utf8(event("\"r-5\"", OK_REST.replace("10.5", "-Infinity"))));
    values.put(
        "revenue-just-too-big",
        utf8(event("\"r-6\"", OK_REST.replace("10.5", "99999999999999.5"))));
    values.put(
        "revenue-largest", utf8(event("\"r-7\"", OK_REST.replace("10.5", "92592592592591.5"))));
    values.put(
        "timestamp-beyond-long",
        utf8(event("\"t-3\"", OK_REST.replace(String.valueOf(NOW), "9" + "0".repeat(30)))));
    values.put(
        "timestamp-fraction",
        utf8(event("\"t-4\"", OK_REST.replace(String.valueOf(NOW), NOW + ".5"))));
    values.put("quote-in-id", utf8(event("\"it's\\\"\"", OK_REST)));
    values.put("nul-in-id", utf8(event("\"nul\\u0000id\"", OK_REST)));
    values.put("duplicate-keys", utf8(event("\"k-1\"", OK_REST + ",\"event_id\":\"k-2\"")));

    return values;
  }

  /**
   * silver's one-pass parser and Spark's JSON reader (with a second scan for unknown keys) read
   * every record alike: the generator's, the hostile ones, and shapes the one-pass parser leaves to
   * Spark's reader (single quotes, NaN, numbers where strings belong, key case variants).
   */
  @Test
  void theOnePassParseReadsEveryRecordAsSparksJsonReaderDoes() {
    Map<String, byte[]> values = hostileValues();
    String metadata = "{ \"page\" : \"/a\", \"n\": 1.00000, \"e\": 1e2, \"l\": [1, true, null] }";
    values.put("metadata-object", utf8(event("\"o-1\"", OK_REST.replace("\"m\"", metadata))));
    values.put("metadata-null", utf8(event("\"o-2\"", OK_REST.replace("\"m\"", "null"))));
    values.put("metadata-number", utf8(event("\"o-3\"", OK_REST.replace("\"m\"", "7"))));
    values.put(
        "extra-of-every-type",
        utf8(
            event(
                "\"o-4\"",
                OK_REST
                    + ",\"s\":\"a\\\"b\\n"
                    + "\u00e9\",\"n\":-2.50,\"z\":null,\"t\":true,\"o\":{\"k\":[1]}")));
    values.put(
        "spaces", utf8(" { \"event_id\" : \"o-5\" , " + OK_REST.replace(",", " , ") + " } "));
    values.put("single-quotes", utf8(event("'o-6'", OK_REST)));
    values.put("number-as-id", utf8(event("123", OK_REST)));
    values.put("bool-as-type", utf8(event("\"o-7\"", OK_REST.replace("\"purchase\"", "true"))));
    values.put("string-revenue", utf8(event("\"o-8\"", OK_REST.replace("10.5", "\"10.5\""))));
    values.put("string-nan", utf8(event("\"o-9\"", OK_REST.replace("10.5", "\"NaN\""))));
    values.put("integer-revenue", utf8(event("\"o-10\"", OK_REST.replace("10.5", "10"))));
    values.put("upper-case-key", utf8(event("\"o-11\"", OK_REST + ",\"Event_Type\":\"x\"")));
    values.put("trailing-text", utf8(event("\"o-12\"", OK_REST) + " trailing"));
    values.put("two-objects", utf8(event("\"o-13\"", OK_REST) + event("\"o-14\"", OK_REST)));
    values.put("duplicate-extra", utf8(event("\"o-15\"", OK_REST + ",\"x\":1,\"x\":2")));
    values.put("missing-fields", utf8("{\"event_id\":\"o-16\"}"));
    values.put(
        "escaped-key",
        utf8(event("\"o-17\"", OK_REST.replace("\"user_id\"", "\"user\\u005fid\""))));
    values.put("leading-zero", utf8(event("\"o-18\"", OK_REST.replace("10.5", "010.5"))));
    values.put("comment", utf8(event("\"o-19\"", OK_REST) + " /* c */"));
    List<GeneratedRecord> generated = EventGenerator.generate(GeneratorSpec.realistic(11, 2_000));
    for (GeneratedRecord record : generated) {
      values.put("generated-" + values.size(), record.value());
    }
    Dataset<Row> bronze = bronze(new ArrayList<>(values.values()));
    String known = "array('" + String.join("','", EventSchema.FIELDS) + "')";
    Dataset<Row> expected =
        bronze
            .withColumn("_text", col("value").cast("string"))
            .withColumn(
                "_p",
                from_json(
                    col("_text"),
                    SilverTransforms.EVENT_SCHEMA,
                    Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", "_corrupt_record")))
            .withColumn(
                "extra",
                expr(
                    "CASE WHEN is_valid_utf8(_text) AND _p IS NOT NULL AND _p._corrupt_record IS"
                        + " NULL AND exists(json_object_keys(_text), k -> NOT array_contains("
                        + known
                        + ", k)) THEN to_json(map_filter(from_json(_text, 'map<string,string>'),"
                        + " (k, v) -> NOT array_contains("
                        + known
                        + ", k))) END"));
    Dataset<Row> actual = SilverTransforms.classify(bronze, RULES);

    Map<Long, Row> byOffset = new HashMap<>();
    for (Row row :
        expected.where("is_valid_utf8(_text)").select("offset", "_p", "extra").collectAsList()) {
      byOffset.put(row.getLong(0), row);
    }
    List<Row> read = actual.where("_utf8").select("offset", "_p", "extra").collectAsList();
    assertThat(read).hasSize(byOffset.size());
    List<String> names = new ArrayList<>(values.keySet());
    for (Row row : read) {
      assertThat(row).as(names.get((int) row.getLong(0))).isEqualTo(byOffset.get(row.getLong(0)));
    }
    EventParser parser = new EventParser();
    assertThat(parser.call(values.get("metadata-object"))).isNotNull();
    assertThat(parser.call(values.get("extra-of-every-type"))).isNotNull();
    assertThat(parser.call(values.get("single-quotes"))).isNull();
    List<GeneratedRecord> validGenerated =
        generated.stream().filter(record -> record.kind().isValid()).toList();
    assertThat(validGenerated)
        .allSatisfy(record -> assertThat(parser.call(record.value())).isNotNull());
  }

  /**
   * One rule whichever path reads a record (the one-pass parser, or Spark's reader that takes what
   * the parser leaves): UTF-8 only, a leading byte order mark ignored as RFC 8259 allows, UTF-16
   * and UTF-32 quarantined, and a producer's field named {@code _corrupt_record} kept in extra like
   * any other unknown field.
   */
  @Test
  void bothPathsJudgeEncodingsAndReservedNamesAlike() {
    Map<String, byte[]> values = hostileValues();
    String ok = event("\"e-1\"", OK_REST);
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    values.put("utf8-bom", concat(bom, utf8(ok)));
    values.put("string-revenue", utf8(event("\"e-2\"", OK_REST.replace("10.5", "\"10.5\""))));
    values.put(
        "utf8-bom-string-revenue",
        concat(bom, utf8(event("\"e-2\"", OK_REST.replace("10.5", "\"10.5\"")))));
    values.put(
        "corrupt-record-field", utf8(event("\"e-3\"", OK_REST + ",\"_corrupt_record\":\"x\"")));
    values.put(
        "corrupt-record-object",
        utf8(event("\"e-4\"", OK_REST + ",\"_corrupt_record\":{\"a\":[1]}")));
    values.put(
        "corrupt-record-null", utf8(event("\"e-5\"", OK_REST + ",\"_corrupt_record\":null")));
    values.put(
        "corrupt-record-only",
        utf8("{\"_corrupt_record\":\"" + event("e", OK_REST).replace("\"", "\\\"") + "\"}"));
    values.put("utf16le", ok.getBytes(StandardCharsets.UTF_16LE));
    values.put("utf16be", ok.getBytes(StandardCharsets.UTF_16BE));
    values.put("utf16-bom", ok.getBytes(StandardCharsets.UTF_16));
    values.put("utf32be", ok.getBytes(java.nio.charset.Charset.forName("UTF-32BE")));
    values.put("utf32le", ok.getBytes(java.nio.charset.Charset.forName("UTF-32LE")));
    List<String> names = new ArrayList<>(values.keySet());
    Dataset<Row> bronze = bronze(new ArrayList<>(values.values()));

    Map<String, Row> onePass = judged(SilverTransforms.classify(bronze, RULES, true), names);
    Map<String, Row> sparkOnly = judged(SilverTransforms.classify(bronze, RULES, false), names);

    assertThat(onePass).containsExactlyInAnyOrderEntriesOf(sparkOnly);
    assertThat(onePass.get("utf8-bom").getList(1)).isEmpty();
    assertThat(onePass.get("utf8-bom-string-revenue").getList(1))
        .isNotEmpty()
        .isEqualTo(onePass.get("string-revenue").getList(1));
    for (String field :
        List.of("corrupt-record-field", "corrupt-record-object", "corrupt-record-null")) {
      assertThat(onePass.get(field).getList(1)).as(field).isEmpty();
      assertThat(onePass.get(field).getString(2)).as(field).contains("_corrupt_record");
    }
    for (String other : List.of("utf16le", "utf16be", "utf16-bom", "utf32be", "utf32le")) {
      assertThat(onePass.get(other).getList(1)).as(other).isNotEmpty();
    }
  }

  /** Each record's reasons, extra and parsed event fields, by the record's name. */
  private static Map<String, Row> judged(Dataset<Row> classified, List<String> names) {
    List<String> fields =
        EventSchema.FIELDS.stream().map(field -> "_p." + field + " AS p_" + field).toList();
    List<String> columns = new ArrayList<>(List.of("offset", "reasons", "extra"));
    columns.addAll(fields);
    Map<String, Row> byName = new HashMap<>();
    for (Row row : classified.selectExpr(columns.toArray(String[]::new)).collectAsList()) {
      byName.put(names.get((int) row.getLong(0)), row);
    }
    return byName;
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] both = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    return both;
  }

  /**
   * A record is judged against its own ingestion time, never the run's clock: a batch replayed a
   * day later classifies exactly as the first attempt did.
   */
  @Test
  void theFutureBoundFollowsTheRecordsIngestionTime() {
    long ingested = NOW - 48 * 3_600_000L;
    String aheadOfIngestion =
        event(
            "\"f-1\"",
            OK_REST.replace(String.valueOf(NOW), String.valueOf(ingested + 25 * 3_600_000L)));
    String withinTolerance =
        event(
            "\"f-2\"",
            OK_REST.replace(String.valueOf(NOW), String.valueOf(ingested + 23 * 3_600_000L)));
    List<Row> rows = new ArrayList<>();
    rows.add(
        RowFactory.create(
            utf8(aheadOfIngestion), "t", 0, 0L, new Timestamp(ingested), new Timestamp(ingested)));
    rows.add(
        RowFactory.create(
            utf8(withinTolerance), "t", 0, 1L, new Timestamp(ingested), new Timestamp(ingested)));

    List<Row> reasons =
        SilverTransforms.classify(spark.createDataFrame(rows, BRONZE), RULES)
            .orderBy("offset")
            .select("reasons")
            .collectAsList();

    assertThat(reasons.get(0).<String>getList(0)).containsExactly("TIMESTAMP_OUT_OF_RANGE");
    assertThat(reasons.get(1).<String>getList(0)).isEmpty();
  }

  /** The generator's invalid kinds and the reason codes are one list: each kind is a code. */
  @Test
  void theGeneratorsInvalidKindsAreExactlyTheReasonCodes() {
    Set<String> codes =
        RULES.rules().stream().map(rule -> rule.reason().split(":")[0]).collect(Collectors.toSet());

    assertThat(Arrays.stream(RecordKind.values()).filter(kind -> !kind.isValid()).map(Enum::name))
        .containsExactlyInAnyOrderElementsOf(codes);
  }

  @Test
  void unknownFieldsAreKeptInExtra() {
    Dataset<Row> classified =
        SilverTransforms.classify(
            bronze(
                List.of(
                    utf8(
                        event(
                            "\"x-1\"", OK_REST + ",\"coupon\":\"SAVE10\",\"cart\":{\"items\":3}")),
                    utf8(event("\"x-2\"", OK_REST)))),
            RULES);
    List<Row> events =
        SilverTransforms.validEvents(classified, new BigDecimal("1.08"))
            .orderBy("event_id")
            .select("event_id", "extra", "revenue_usd")
            .collectAsList();

    assertThat(events).hasSize(2);
    assertThat(events.get(0).getString(1))
        .isEqualTo("{\"coupon\":\"SAVE10\",\"cart\":\"{\\\"items\\\":3}\"}");
    assertThat(events.get(1).isNullAt(1)).isTrue();
    assertThat(events.get(0).getDecimal(2)).isEqualByComparingTo("11.34");
  }

  @Test
  void firstIngestedRowWinsWithinABatch() {
    List<Row> rows = new ArrayList<>();
    String json = event("\"d-1\"", OK_REST);
    rows.add(RowFactory.create(utf8(json), "t", 1, 7L, new Timestamp(2000), new Timestamp(NOW)));
    rows.add(RowFactory.create(utf8(json), "t", 0, 9L, new Timestamp(1000), new Timestamp(NOW)));
    rows.add(RowFactory.create(utf8(json), "t", 0, 3L, new Timestamp(1000), new Timestamp(NOW)));
    Dataset<Row> events =
        SilverTransforms.validEvents(
            SilverTransforms.classify(spark.createDataFrame(rows, BRONZE), RULES), BigDecimal.ONE);

    List<Row> first =
        SilverTransforms.firstPerEventId(events, SilverTransforms.repeatedEventIds(events))
            .select("source_partition", "source_offset")
            .collectAsList();

    assertThat(first).hasSize(1);
    assertThat(first.get(0).getInt(0)).isZero();
    assertThat(first.get(0).getLong(1)).isEqualTo(3L);
  }

  private static Map<String, List<String>> reasonsByName(Map<String, byte[]> values) {
    return reasonsByName(
        values, SilverTransforms.classify(bronze(new ArrayList<>(values.values())), RULES));
  }

  private static Map<String, List<String>> reasonsByName(
      Map<String, byte[]> values, Dataset<Row> classified) {
    List<String> names = new ArrayList<>(values.keySet());
    Map<String, List<String>> byName = new HashMap<>();
    for (Row row : classified.select("offset", "reasons").collectAsList()) {
      byName.put(names.get((int) row.getLong(0)), row.getList(1));
    }
    return byName;
  }

  private static Dataset<Row> bronze(List<byte[]> values) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      rows.add(
          RowFactory.create(
              values.get(i), "t", 0, (long) i, new Timestamp(NOW), new Timestamp(NOW)));
    }
    return spark.createDataFrame(rows, BRONZE);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
