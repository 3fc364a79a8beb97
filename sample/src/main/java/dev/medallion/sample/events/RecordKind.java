package dev.medallion.sample.events;

/**
 * What the generator meant a record to be, so tests know the right outcome without running the
 * pipeline's own code.
 */
public enum RecordKind {
  /** A new valid event, on time. */
  VALID(true),
  /** A valid event whose timestamp is days before the generator's start. */
  LATE(true),
  /** A byte-identical resend of an event produced earlier. */
  DUPLICATE(true),
  /** Not a JSON object. */
  MALFORMED_JSON(false),
  /** A required field missing, null or blank. */
  MISSING_REQUIRED_FIELD(false),
  /** A field of the wrong JSON type. */
  WRONG_TYPE(false),
  /** Epoch seconds sent as milliseconds (year 1970), or far in the future. */
  TIMESTAMP_OUT_OF_RANGE(false),
  /** Bytes that are not valid UTF-8. */
  INVALID_UTF8(false),
  /** No value at all: a Kafka tombstone. */
  NULL_VALUE(false),
  /** A revenue that is NaN, infinite or beyond what silver's decimal holds. */
  REVENUE_OUT_OF_RANGE(false);

  private final boolean valid;

  RecordKind(boolean valid) {
    this.valid = valid;
  }

  public boolean isValid() {
    return valid;
  }
}
