package dev.medallion.sample.events;

import dev.medallion.common.table.EventSchema;

/**
 * One valid e-commerce event as the producer sends it. {@code revenue} is null except for
 * purchases; {@code timestamp} is epoch milliseconds.
 */
public record Event(
    String eventId,
    String userId,
    String sessionId,
    String eventType,
    String productId,
    Double revenue,
    long timestamp,
    String metadata) {

  /** The event as the JSON object producers send. */
  public String toJson() {
    StringBuilder json = new StringBuilder(224).append('{');
    field(json, EventSchema.EVENT_ID, eventId).append(',');
    field(json, EventSchema.USER_ID, userId).append(',');
    field(json, EventSchema.SESSION_ID, sessionId).append(',');
    field(json, EventSchema.EVENT_TYPE, eventType).append(',');
    field(json, EventSchema.PRODUCT_ID, productId).append(',');
    String revenueJson = revenue == null ? "null" : revenue.toString();
    name(json, EventSchema.REVENUE).append(revenueJson).append(',');
    name(json, EventSchema.TIMESTAMP).append(timestamp).append(',');
    field(json, EventSchema.METADATA, metadata);
    return json.append('}').toString();
  }

  private static StringBuilder name(StringBuilder json, String name) {
    return json.append('"').append(name).append("\":");
  }

  static StringBuilder field(StringBuilder json, String name, String value) {
    name(json, name);
    if (value == null) {
      return json.append("null");
    }
    json.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        json.append('\\');
      }
      json.append(c);
    }
    return json.append('"');
  }
}
