package dev.medallion.silver;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a silver run did with the bronze records it read. Not thread-safe: one per run. */
final class SilverCounts {
  private long records;
  private long valid;
  private long quarantined;
  private long inserted;
  private long tombstones;
  private final Map<String, Long> byReason = new LinkedHashMap<>();
  private final Map<String, Long> byExpectation = new LinkedHashMap<>();
  private final Map<String, Long> nullsByField = new LinkedHashMap<>();
  private final List<String> warnings = new ArrayList<>();
  private long judged;

  void add(
      long records,
      long valid,
      Map<String, Long> quarantined,
      long inserted,
      long tombstones,
      Map<String, Long> expectations,
      Map<String, Long> nulls) {
    expectations.forEach((name, count) -> byExpectation.merge(name, count, Long::sum));
    nulls.forEach((field, count) -> nullsByField.merge(field, count, Long::sum));
    if (!nulls.isEmpty()) {
      this.judged += valid;
    }
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

  /** Records that broke each expectation, by its qualified name. */
  Map<String, Long> brokenByExpectation() {
    return new LinkedHashMap<>(byExpectation);
  }

  /**
   * Per optional field, the share of the valid events written to silver without it (none when no
   * valid event was written).
   */
  Map<String, Double> nullRates() {
    Map<String, Double> rates = new LinkedHashMap<>();
    if (judged > 0) {
      nullsByField.forEach((field, nulls) -> rates.put(field, (double) nulls / judged));
    }
    return rates;
  }

  void warn(String warning) {
    warnings.add(warning);
  }

  /** What the run's batches warned of. */
  List<String> warnings() {
    return List.copyOf(warnings);
  }

  long inserted() {
    return inserted;
  }

  /** Valid records not inserted: their event_id was already in silver or earlier in the batch. */
  long duplicates() {
    return valid - inserted;
  }
}
