package dev.medallion.sample.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.common.table.EventSchema;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EventGeneratorTest {
  @Test
  void sameSpecGivesSameRecords() {
    GeneratorSpec spec = GeneratorSpec.realistic(7, 2_000);

    List<GeneratedRecord> first = EventGenerator.generate(spec);
    List<GeneratedRecord> second = EventGenerator.generate(spec);

    assertThat(first).hasSameSizeAs(second);
    for (int i = 0; i < first.size(); i++) {
      assertThat(first.get(i).value()).isEqualTo(second.get(i).value());
    }
  }

  @Test
  void realisticMixHasEveryKindAndDuplicatesResendEarlierEvents() {
    GeneratorSpec spec = GeneratorSpec.realistic(7, 20_000);
    List<GeneratedRecord> records = EventGenerator.generate(spec);
    Map<RecordKind, Long> kinds =
        records.stream()
            .collect(Collectors.groupingBy(GeneratedRecord::kind, Collectors.counting()));

    assertThat(kinds.keySet()).containsExactlyInAnyOrder(RecordKind.values());
    assertThat(kinds.get(RecordKind.VALID) + kinds.get(RecordKind.LATE)).isEqualTo(20_000);
    Set<String> newIds =
        records.stream()
            .filter(r -> r.kind() == RecordKind.VALID || r.kind() == RecordKind.LATE)
            .map(r -> r.event().eventId())
            .collect(Collectors.toSet());
    assertThat(newIds).hasSize(20_000);
    records.stream()
        .filter(r -> r.kind() == RecordKind.DUPLICATE)
        .forEach(r -> assertThat(newIds).contains(r.event().eventId()));
  }

  @Test
  void nextBatchContinuesIndicesAndCanResendEarlierBatches() {
    GeneratorSpec first = GeneratorSpec.realistic(3, 1_000);
    GeneratorSpec second = first.next(1_000);
    Map<String, Event> firstEvents =
        EventGenerator.generate(first).stream()
            .filter(r -> r.kind() == RecordKind.VALID || r.kind() == RecordKind.LATE)
            .map(GeneratedRecord::event)
            .collect(Collectors.toMap(Event::eventId, Function.identity()));

    List<GeneratedRecord> secondRecords = EventGenerator.generate(second);

    assertThat(
            secondRecords.stream()
                .filter(r -> r.kind() == RecordKind.VALID)
                .map(r -> r.event().eventId()))
        .doesNotContainAnyElementsOf(firstEvents.keySet());
    assertThat(
            secondRecords.stream()
                .filter(r -> r.kind() == RecordKind.DUPLICATE)
                .map(r -> r.event().eventId()))
        .anyMatch(firstEvents::containsKey);
  }

  @Test
  void theDailyShapeTouchesASmallShareOfUsersEachHourInSessionsOfMinutes() {
    long start = GeneratorSpec.DEFAULT_START.toEpochMilli();
    List<Event> events =
        newEvents(
            new GeneratorSpec(
                5, 0, 60_000, GeneratorSpec.DEFAULT_START, 72, 0.05, 0.02, 0.01, TimeShape.DAILY));
    Map<Long, Set<String>> byHour = usersBy(events, 3_600_000L);
    Map<Long, Set<String>> byDay = usersBy(events, 86_400_000L);

    assertThat(byHour.keySet()).hasSizeGreaterThan(72); // the late events' hours too
    byHour.forEach(
        (hour, users) -> {
          assertThat(users).hasSizeLessThanOrEqualTo(EventGenerator.ACTIVE_PER_HOUR);
          assertThat(byDay.get(Math.floorDiv(hour, 24))).containsAll(users);
        });
    Set<String> first = byDay.get(Math.floorDiv(start, 86_400_000L));
    Set<String> second = byDay.get(Math.floorDiv(start, 86_400_000L) + 1);
    assertThat(first)
        .hasSizeLessThanOrEqualTo(EventGenerator.ACTIVE_PER_DAY)
        .hasSizeGreaterThan(5_000);
    assertThat(second.stream().filter(first::contains).count()).isLessThan(second.size() / 2);

    Map<String, List<Event>> sessions =
        events.stream().collect(Collectors.groupingBy(Event::sessionId));
    assertThat(sessions.values()).anyMatch(s -> s.size() > 1);
    sessions.forEach(
        (session, of) -> {
          assertThat(of.stream().map(Event::userId).distinct()).hasSize(1);
          LongSummaryStatistics times = of.stream().mapToLong(Event::timestamp).summaryStatistics();
          assertThat(times.getMax() - times.getMin()).isLessThan(EventGenerator.SESSION_MS);
        });

    List<Long> lateBy =
        events.stream().filter(e -> e.timestamp() < start).map(e -> start - e.timestamp()).toList();
    assertThat(lateBy).hasSizeBetween(900, 1_500); // 2% of 60,000
    assertThat(lateBy.stream().filter(ms -> ms <= 6 * 3_600_000L).count())
        .isGreaterThan(lateBy.size() * 8 / 10);
    assertThat(lateBy).anyMatch(ms -> ms > 86_400_000L);
  }

  @Test
  void anIncrementGeneratedApartHasItsHoursUsersFromTheHistory() {
    Instant lastHour = GeneratorSpec.DEFAULT_START.plusSeconds(23 * 3_600);
    Set<String> historyUsers =
        usersBy(
                newEvents(
                    new GeneratorSpec(
                        5, 0, 20_000, GeneratorSpec.DEFAULT_START, 24, 0, 0, 0, TimeShape.DAILY)),
                3_600_000L)
            .get(lastHour.toEpochMilli() / 3_600_000L);
    Set<String> incrementUsers =
        usersBy(
                newEvents(new GeneratorSpec(6, 20_000, 800, lastHour, 1, 0, 0, 0, TimeShape.DAILY)),
                3_600_000L)
            .get(lastHour.toEpochMilli() / 3_600_000L);

    assertThat(incrementUsers.stream().filter(historyUsers::contains).count())
        .isGreaterThan(incrementUsers.size() / 3);
  }

  private static List<Event> newEvents(GeneratorSpec spec) {
    return EventGenerator.generate(spec).stream()
        .filter(r -> r.kind() == RecordKind.VALID || r.kind() == RecordKind.LATE)
        .map(GeneratedRecord::event)
        .toList();
  }

  private static Map<Long, Set<String>> usersBy(List<Event> events, long unitMs) {
    return events.stream()
        .collect(
            Collectors.groupingBy(
                e -> Math.floorDiv(e.timestamp(), unitMs),
                Collectors.mapping(Event::userId, Collectors.toSet())));
  }

  @Test
  void jsonCarriesEveryFieldAndPurchasesHaveRevenue() {
    Event event = new EventGenerator(GeneratorSpec.clean(1, 1)).event(0);
    String json = event.toJson();

    assertThat(json)
        .startsWith("{\"event_id\":\"evt-1-0\"")
        .contains("\"timestamp\":" + event.timestamp())
        .contains("\"metadata\":\"{\\\"device\\\":");
    assertThat(event.revenue() != null).isEqualTo(event.eventType().equals("purchase"));
  }

  @Test
  void jsonHasExactlyTheDeclaredEventFieldsInOrder() {
    String json = new EventGenerator(GeneratorSpec.clean(1, 1)).event(0).toJson();

    List<String> names =
        java.util.regex.Pattern.compile("\"([a-z_]+)\":")
            .matcher(json) // metadata's own keys are escaped and do not match
            .results()
            .map(match -> match.group(1))
            .toList();
    assertThat(names).isEqualTo(EventSchema.FIELDS);
  }

  @Test
  void invalidUtf8RecordsAreNotValidUtf8() {
    List<GeneratedRecord> records =
        EventGenerator.generate(
            new GeneratorSpec(1, 0, 500, GeneratorSpec.DEFAULT_START, 24, 0, 0, 1));
    GeneratedRecord bad =
        records.stream().filter(r -> r.kind() == RecordKind.INVALID_UTF8).findFirst().orElseThrow();

    byte[] roundTrip =
        new String(bad.value(), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
    assertThat(Arrays.equals(roundTrip, bad.value())).isFalse();
  }
}
