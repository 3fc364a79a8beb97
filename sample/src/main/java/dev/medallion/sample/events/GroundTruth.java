package dev.medallion.sample.events;

import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a correct pipeline must make of generated records, computed from the generator's own labels
 * and not from any pipeline code: the unique valid events (first occurrence per event_id) and how
 * many records of each invalid kind there were.
 */
public final class GroundTruth {
  private final Map<String, Event> events = new LinkedHashMap<>();
  private final Map<RecordKind, Long> kinds = new EnumMap<>(RecordKind.class);

  public static GroundTruth of(Collection<GeneratedRecord> records) {
    GroundTruth truth = new GroundTruth();
    truth.addAll(records);
    return truth;
  }

  public GroundTruth addAll(Collection<GeneratedRecord> records) {
    for (GeneratedRecord record : records) {
      kinds.merge(record.kind(), 1L, Long::sum);
      if (record.kind().isValid()) {
        events.putIfAbsent(record.event().eventId(), record.event());
      }
    }
    return this;
  }

  /** Unique valid events by event_id. */
  public Map<String, Event> events() {
    return events;
  }

  public long count(RecordKind kind) {
    return kinds.getOrDefault(kind, 0L);
  }

  public long invalidRecords() {
    return kinds.entrySet().stream()
        .filter(e -> !e.getKey().isValid())
        .mapToLong(Map.Entry::getValue)
        .sum();
  }
}
