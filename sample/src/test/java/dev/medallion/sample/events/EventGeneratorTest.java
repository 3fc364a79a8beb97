package dev.medallion.sample.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.common.table.EventSchema;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
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
