package dev.medallion.sample.events;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Deterministic e-commerce event stream for the demo, the tests and the benchmarks: the same {@link
 * GeneratorSpec} always yields the same records, and every record says what it was meant to be
 * ({@link RecordKind}), which is the ground truth tests check the pipeline against.
 */
public final class EventGenerator {
  static final int USERS = 10_000;
  static final int PRODUCTS = 200;
  static final String[] EVENT_TYPES = {
    "page_view", "add_to_cart", "purchase", "remove_from_cart", "search"
  };
  private static final double[] EVENT_TYPE_WEIGHTS = {0.60, 0.20, 0.10, 0.05, 0.05};
  private static final String[] DEVICES = {"mobile", "desktop", "tablet"};
  private static final RecordKind[] INVALID_KINDS = {
    RecordKind.MALFORMED_JSON,
    RecordKind.MISSING_REQUIRED_FIELD,
    RecordKind.WRONG_TYPE,
    RecordKind.TIMESTAMP_OUT_OF_RANGE,
    RecordKind.INVALID_UTF8,
    RecordKind.NULL_VALUE,
    RecordKind.REVENUE_OUT_OF_RANGE
  };
  private static final long HOUR_MS = 3_600_000L;
  private static final long DAY_MS = 24 * HOUR_MS;

  // TimeShape.DAILY: each day's active users are a rotated stride through all of them, and each
  // hour's a rotated stride through the day's (strides coprime to the counts: no user twice).
  static final int DAILY_USERS = 100_000;
  static final int ACTIVE_PER_DAY = 10_000;
  static final int ACTIVE_PER_HOUR = 600;
  private static final int STRIDE = 7_919;
  static final long SESSION_MS = 30 * 60_000L;

  private final GeneratorSpec spec;

  public EventGenerator(GeneratorSpec spec) {
    this.spec = spec;
  }

  /** All records of the spec, in production order. */
  public static List<GeneratedRecord> generate(GeneratorSpec spec) {
    List<GeneratedRecord> records = new ArrayList<>();
    new EventGenerator(spec).forEach(records::add);
    return records;
  }

  /** Streams the records in production order without holding them all. */
  public void forEach(Consumer<GeneratedRecord> sink) {
    SplittableRandom mix = new SplittableRandom(spec.seed() * 31 + spec.firstIndex());
    long invalidCount = 0;
    for (long i = spec.firstIndex(); i < spec.firstIndex() + spec.events(); i++) {
      Event event = event(i);
      RecordKind kind =
          event.timestamp() < spec.start().toEpochMilli() ? RecordKind.LATE : RecordKind.VALID;
      sink.accept(valid(event, kind));
      if (mix.nextDouble() < spec.duplicateRate()) {
        sink.accept(valid(event(mix.nextLong(i + 1)), RecordKind.DUPLICATE));
      }
      if (mix.nextDouble() < spec.invalidRate()) {
        sink.accept(invalid(invalidCount++));
      }
    }
  }

  /** Event number {@code index} of this seed; the same in every batch. */
  public Event event(long index) {
    SplittableRandom random = new SplittableRandom(spec.seed() * 1_000_003L + index);
    int user = random.nextInt(USERS);
    String eventType = pick(random.nextDouble());
    boolean late = random.nextDouble() < spec.lateRate();
    long start = spec.start().toEpochMilli();
    long timestamp;
    String session = null; // UNIFORM draws it below, where it always did: the same records
    if (spec.shape() == TimeShape.DAILY) {
      long behind =
          random.nextInt(10) == 0
              ? (1 + random.nextInt(3)) * DAY_MS
              : (1 + random.nextInt(6)) * HOUR_MS;
      timestamp =
          late
              ? start - behind + random.nextLong(HOUR_MS)
              : start + random.nextLong(spec.spanHours() * HOUR_MS);
      user = activeUser(timestamp, random.nextInt(ACTIVE_PER_HOUR));
      session = "s-" + user + "-" + Math.floorDiv(timestamp, SESSION_MS);
    } else {
      timestamp =
          late
              ? start - (1 + random.nextInt(3)) * DAY_MS + random.nextLong(HOUR_MS)
              : start + random.nextLong(spec.spanHours() * HOUR_MS);
    }
    Double revenue =
        "purchase".equals(eventType)
            ? Math.round((5 + random.nextDouble() * 495) * 100) / 100.0
            : null;
    String metadata =
        "{\"device\":\""
            + DEVICES[random.nextInt(DEVICES.length)]
            + "\",\"campaign\":\"c"
            + random.nextInt(10)
            + "\"}";
    return new Event(
        "evt-" + spec.seed() + "-" + index,
        "u-" + user,
        session != null ? session : "s-" + user + "-" + random.nextInt(4),
        eventType,
        "p-" + random.nextInt(PRODUCTS),
        revenue,
        timestamp,
        metadata);
  }

  /**
   * User {@code j} of those active in the hour of {@code timestamp} ({@link TimeShape#DAILY}):
   * whatever the seed, the same hour has the same users, all among its day's.
   */
  static int activeUser(long timestamp, int j) {
    long hour = Math.floorDiv(timestamp, HOUR_MS);
    long day = Math.floorDiv(timestamp, DAY_MS);
    long ofDay = Math.floorMod(offset(hour, ACTIVE_PER_DAY) + (long) j * STRIDE, ACTIVE_PER_DAY);
    return (int) Math.floorMod(offset(day, DAILY_USERS) + ofDay * STRIDE, DAILY_USERS);
  }

  /** Where the rotation of period {@code period} starts for {@code unit} (an hour or a day). */
  private static long offset(long unit, int bound) {
    return new SplittableRandom(unit * 0x9E3779B97F4A7C15L + bound).nextInt(bound);
  }

  private static String pick(double roll) {
    double cumulative = 0;
    for (int t = 0; t < EVENT_TYPES.length; t++) {
      cumulative += EVENT_TYPE_WEIGHTS[t];
      if (roll < cumulative) {
        return EVENT_TYPES[t];
      }
    }
    return EVENT_TYPES[EVENT_TYPES.length - 1];
  }

  private static GeneratedRecord valid(Event event, RecordKind kind) {
    return new GeneratedRecord(utf8(event.eventId()), utf8(event.toJson()), kind, event);
  }

  /**
   * Revenues no decimal of silver holds: not numbers at all, or beyond any double or decimal(20,6).
   */
  private static final String[] OUT_OF_RANGE_REVENUES = {
    "NaN", "Infinity", "-Infinity", "1e400", "1" + "0".repeat(30)
  };

  private GeneratedRecord invalid(long n) {
    RecordKind kind = INVALID_KINDS[(int) (n % INVALID_KINDS.length)];
    String id = "bad-" + spec.seed() + "-" + spec.firstIndex() + "-" + n;
    long ts = spec.start().toEpochMilli() + (n % 24) * HOUR_MS;
    String base =
        "\"event_id\":\""
            + id
            + "\",\"user_id\":\"u-1\",\"session_id\":\"s-1-0\",\"product_id\":\"p-1\"";
    byte[] value =
        switch (kind) {
          case MALFORMED_JSON ->
              utf8(n % 2 == 0 ? "{" + base + ",\"event_type\":\"purch" : "[\"" + id + "\"]");
          case MISSING_REQUIRED_FIELD ->
              utf8(
                  "{" + base + ",\"event_type\":\"  \",\"revenue\":null,\"timestamp\":" + ts + "}");
          case WRONG_TYPE ->
              utf8(
                  "{"
                      + base
                      + ",\"event_type\":\"purchase\",\"revenue\":\"ten\",\"timestamp\":"
                      + ts
                      + "}");
          case TIMESTAMP_OUT_OF_RANGE ->
              utf8(
                  "{"
                      + base
                      + ",\"event_type\":\"page_view\",\"revenue\":null,\"timestamp\":"
                      + ts / 1000
                      + "}");
          case INVALID_UTF8 ->
              invalidUtf8(
                  "{"
                      + base
                      + ",\"event_type\":\"page_view\",\"revenue\":null,\"timestamp\":"
                      + ts
                      + ",\"metadata\":\"",
                  "\"}");
          case NULL_VALUE -> null; // a tombstone
          case REVENUE_OUT_OF_RANGE ->
              utf8(
                  "{"
                      + base
                      + ",\"event_type\":\"purchase\",\"revenue\":"
                      + OUT_OF_RANGE_REVENUES[(int) (n % OUT_OF_RANGE_REVENUES.length)]
                      + ",\"timestamp\":"
                      + ts
                      + "}");
          default -> throw new IllegalStateException("Not an invalid kind: " + kind);
        };
    return new GeneratedRecord(utf8(id), value, kind, null);
  }

  private static byte[] invalidUtf8(String before, String after) {
    byte[] head = utf8(before);
    byte[] tail = utf8(after);
    byte[] value = new byte[head.length + 2 + tail.length];
    System.arraycopy(head, 0, value, 0, head.length);
    value[head.length] = (byte) 0xC3; // a lead byte followed by a non-continuation byte
    value[head.length + 1] = (byte) 0x28;
    System.arraycopy(tail, 0, value, head.length + 2, tail.length);
    return value;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
