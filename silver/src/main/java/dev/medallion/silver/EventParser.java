package dev.medallion.silver;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import dev.medallion.common.table.EventSchema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One streaming pass over a record's JSON bytes that yields the event's known fields, typed, and
 * its unknown fields as JSON: what Spark's typed parse ({@code from_json}) and a second scan of the
 * keys would give, for a third of their cost.
 *
 * <p>It answers only for the shape producers send: one object of distinct keys, standard JSON, each
 * known field of its declared JSON type (or null), no key that differs from a known one by case
 * alone. For anything else (or any parser error) it returns null and silver asks Spark's JSON
 * reader, so every record is judged exactly as Spark's reader judges it; a test holds the two to
 * the same answers on ordinary and hostile records. The parser is strict standard JSON: stricter
 * than Spark's reader (which allows single quotes and {@code NaN}), never laxer.
 */
final class EventParser implements UDF1<byte[], Row> {
  /** The parsed event (the typed-parse schema) and the unknown fields as a JSON object, or null. */
  static final StructType RESULT =
      new StructType()
          .add("event", SilverTransforms.EVENT_SCHEMA)
          .add("extra", DataTypes.StringType);

  private static final long serialVersionUID = 1L;
  private static final List<String> FIELDS = EventSchema.FIELDS;
  private static final int REVENUE = FIELDS.indexOf(EventSchema.REVENUE);
  private static final int TIMESTAMP = FIELDS.indexOf(EventSchema.TIMESTAMP);
  private static final int METADATA = FIELDS.indexOf(EventSchema.METADATA);

  /** A known field whose token this parser does not judge: Spark's reader decides the record. */
  private static final Object UNSURE = new Object();

  // Jackson's default buffer pool looks buffers up in a ThreadLocal on every parser; Spark's task
  // threads carry many ThreadLocals, so that lookup costs more than the parse of a small record.
  private transient JsonFactory factory;

  @Override
  public Row call(byte[] json) {
    if (json == null || notUtf8(json)) {
      return null;
    }
    try (JsonParser parser = factory().createParser(json)) {
      return parse(parser);
    } catch (IOException | RuntimeException notPlain) {
      return null;
    }
  }

  /**
   * A JSON text in UTF-16 or UTF-32 without a byte order mark, which Jackson would detect and read
   * (with a mark, it is not valid UTF-8 and never reaches this parser): JSON's first character is
   * ASCII, so those encodings put a zero byte among the first four. Silver reads UTF-8 only, as RFC
   * 8259 requires, on both paths.
   */
  private static boolean notUtf8(byte[] json) {
    for (int i = 0; i < Math.min(4, json.length); i++) {
      if (json[i] == 0) {
        return true;
      }
    }
    return false;
  }

  private Row parse(JsonParser parser) throws IOException {
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      return null;
    }
    // The typed-parse schema's trailing corrupt-record column stays null.
    Object[] event = new Object[FIELDS.size() + 1];
    boolean[] seen = new boolean[FIELDS.size()];
    Map<String, String> extra = null;
    JsonToken token;
    while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken value = parser.nextToken();
      int field = FIELDS.indexOf(name);
      if (field >= 0) {
        Object typed = known(field, value, parser);
        if (seen[field] || typed == UNSURE) {
          return null;
        }
        seen[field] = true;
        event[field] = typed;
      } else {
        if (caseVariantOfKnown(name)) {
          return null;
        }
        if (extra == null) {
          extra = new LinkedHashMap<>();
        }
        if (extra.containsKey(name)) {
          return null;
        }
        extra.put(name, asString(value, parser));
      }
    }
    if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
      return null;
    }
    return RowFactory.create(RowFactory.create(event), extra == null ? null : toJson(extra));
  }

  /** A known field's value as the typed parse reads it, or {@link #UNSURE}. */
  private Object known(int field, JsonToken value, JsonParser parser) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (field == METADATA) {
      return asString(value, parser);
    }
    if (field == REVENUE) {
      return value.isNumeric() ? parser.getDoubleValue() : UNSURE;
    }
    if (field == TIMESTAMP) {
      boolean fitsLong =
          value == JsonToken.VALUE_NUMBER_INT
              && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
      return fitsLong ? parser.getLongValue() : UNSURE;
    }
    return value == JsonToken.VALUE_STRING ? parser.getText() : UNSURE;
  }

  /**
   * A value read as a string the way Spark's reader does: a string's text, null for null, and any
   * other value written back as compact JSON.
   */
  private String asString(JsonToken value, JsonParser parser) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value == JsonToken.VALUE_STRING) {
      return parser.getText();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator generator = factory().createGenerator(out)) {
      generator.copyCurrentStructure(parser);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private String toJson(Map<String, String> fields) {
    StringWriter out = new StringWriter();
    try (JsonGenerator generator = factory().createGenerator(out)) {
      generator.writeStartObject();
      for (Map.Entry<String, String> field : fields.entrySet()) {
        generator.writeFieldName(field.getKey());
        if (field.getValue() == null) {
          generator.writeNull();
        } else {
          generator.writeString(field.getValue());
        }
      }
      generator.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static boolean caseVariantOfKnown(String name) {
    return FIELDS.stream().anyMatch(known -> known.equalsIgnoreCase(name));
  }

  private JsonFactory factory() {
    if (factory == null) {
      factory = JsonFactory.builder().recyclerPool(JsonRecyclerPools.newBoundedPool(4)).build();
    }
    return factory;
  }
}
