package dev.medallion.silver;

/** What a silver run did with the bronze records it read. Not thread-safe: one per run. */
final class SilverCounts {
  private long records;
  private long valid;
  private long quarantined;
  private long inserted;
  private long tombstones;

  void add(long records, long valid, long quarantined, long inserted, long tombstones) {
    this.records += records;
    this.valid += valid;
    this.quarantined += quarantined;
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

  long inserted() {
    return inserted;
  }

  /** Valid records not inserted: their event_id was already in silver or earlier in the batch. */
  long duplicates() {
    return valid - inserted;
  }
}
