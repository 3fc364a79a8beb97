package dev.medallion.silver;

import java.util.LinkedHashMap;
import java.util.Map;

/** What a silver run did with the bronze records it read. Not thread-safe: one per run. */
final class SilverCounts {
  private long records;
  private long valid;
  private long quarantined;
  private long inserted;
  private long tombstones;
  private final Map<String, Long> byReason = new LinkedHashMap<>();

  void add(
      long records, long valid, Map<String, Long> quarantined, long inserted, long tombstones) {
    this.records += records;
    this.valid += valid;
    quarantined.forEach((reason, count) -> byReason.merge(reason, count, Long::sum));
    this.quarantined += records - valid;
    this.inserted += inserted;
    this.tombstones += tombstones;
  }

  /** Quarantined records that had no value at all (Kafka tombstones). */
  long tombstones() {
    return tombstones;
  }

  long records() {
    return records;
  }

  long valid() {
    return valid;
  }

  long quarantined() {
    return quarantined;
  }

  /** Quarantined records by reason code. */
  Map<String, Long> quarantinedByReason() {
    return new LinkedHashMap<>(byReason);
  }

  long inserted() {
    return inserted;
  }

  /** Valid records not inserted: their event_id was already in silver or earlier in the batch. */
  long duplicates() {
    return valid - inserted;
  }
}
