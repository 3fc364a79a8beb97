package dev.medallion.testkit.events;

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
    field(json, "event_id", eventId).append(',');
    field(json, "user_id", userId).append(',');
    field(json, "session_id", sessionId).append(',');
    field(json, "event_type", eventType).append(',');
    field(json, "product_id", productId).append(',');
    json.append("\"revenue\":").append(revenue == null ? "null" : revenue.toString()).append(',');
    json.append("\"timestamp\":").append(timestamp).append(',');
    field(json, "metadata", metadata);
    return json.append('}').toString();
  }

  static StringBuilder field(StringBuilder json, String name, String value) {
    json.append('"').append(name).append("\":");
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
