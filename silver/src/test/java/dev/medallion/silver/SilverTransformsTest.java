package dev.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.common.testing.TestSpark;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
      "\"user_id\":\"u-1\",\"session_id\":\"s-1\",\"event_type\":\"purchase\",\"product_id\":\"p-1\",\"revenue\":10.5,\"timestamp\":" + NOW + ",\"metadata\":\"m\"";

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
    values.put("ts-text", utf8(event("\"w-2\"", OK_REST.replace(String.valueOf(NOW), "\"yesterday\""))));
    values.put("ts-seconds", utf8(event("\"t-1\"", OK_REST.replace(String.valueOf(NOW), String.valueOf(NOW / 1000)))));
    values.put("ts-future", utf8(event("\"t-2\"", OK_REST.replace(String.valueOf(NOW), String.valueOf(NOW + 25 * 3_600_000L)))));
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
    assertThat(reasons.get("two-problems")).containsExactlyInAnyOrder("WRONG_TYPE:revenue", "MISSING_REQUIRED_FIELD:event_id");
  }

  @Test
  void unknownFieldsAreKeptInExtra() {
    Dataset<Row> classified =
        SilverTransforms.classify(bronze(List.of(utf8(event("\"x-1\"", OK_REST + ",\"coupon\":\"SAVE10\",\"cart\":{\"items\":3}")), utf8(event("\"x-2\"", OK_REST)))), NOW, 24);
    List<Row> events = SilverTransforms.validEvents(classified, new BigDecimal("1.08")).orderBy("event_id").select("event_id", "extra", "revenue_usd").collectAsList();

    assertThat(events).hasSize(2);
    assertThat(events.get(0).getString(1)).isEqualTo("{\"coupon\":\"SAVE10\",\"cart\":\"{\\\"items\\\":3}\"}");
    assertThat(events.get(1).isNullAt(1)).isTrue();
    assertThat(events.get(0).getDecimal(2)).isEqualByComparingTo("11.34");
  }

  @Test
  void firstIngestedRowWinsWithinABatch() {
    List<Row> rows = new ArrayList<>();
    String json = event("\"d-1\"", OK_REST);
    rows.add(RowFactory.create(utf8(json), "t", 1, 7L, new Timestamp(2000), new Timestamp(0)));
    rows.add(RowFactory.create(utf8(json), "t", 0, 9L, new Timestamp(1000), new Timestamp(0)));
    rows.add(RowFactory.create(utf8(json), "t", 0, 3L, new Timestamp(1000), new Timestamp(0)));
    Dataset<Row> events = SilverTransforms.validEvents(SilverTransforms.classify(spark.createDataFrame(rows, BRONZE), NOW, 24), BigDecimal.ONE);

    List<Row> first = SilverTransforms.firstPerEventId(events).select("source_partition", "source_offset").collectAsList();

    assertThat(first).hasSize(1);
    assertThat(first.get(0).getInt(0)).isZero();
    assertThat(first.get(0).getLong(1)).isEqualTo(3L);
  }

  private static Map<String, List<String>> reasonsByName(Map<String, byte[]> values) {
    List<String> names = new ArrayList<>(values.keySet());
    Dataset<Row> classified = SilverTransforms.classify(bronze(new ArrayList<>(values.values())), NOW, 24);
    Map<String, List<String>> byName = new HashMap<>();
    for (Row row : classified.select("offset", "reasons").collectAsList()) {
      byName.put(names.get((int) row.getLong(0)), row.getList(1));
    }
    return byName;
  }

  private static Dataset<Row> bronze(List<byte[]> values) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      rows.add(RowFactory.create(values.get(i), "t", 0, (long) i, new Timestamp(NOW), new Timestamp(NOW)));
    }
    return spark.createDataFrame(rows, BRONZE);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
