package dev.medallion.gold;

import static dev.medallion.gold.GoldColumn.column;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A gold declaration documents every column it has, once. */
class GoldTableTest {
  @Test
  void aColumnIsNamedByItsAliasOrItsOwnName() {
    assertThat(column("window_start + INTERVAL 1 HOUR AS window_end", "end").name())
        .isEqualTo("window_end");
    assertThat(column("event_count", "events").name()).isEqualTo("event_count");
    assertThat(DAILY_VIEWS.columnDescriptions()).containsOnlyKeys("event_date", "views");
  }

  @Test
  void aColumnWithoutADescriptionOrAUsableNameIsRefused() {
    assertThatThrownBy(() -> column("views", " "))
        .hasMessage("Cannot declare gold column 'views' without a description");
    assertThatThrownBy(() -> column("count(*)", "events"))
        .hasMessageStartingWith("Cannot declare gold column 'count(*)': end it with 'AS name'");
  }

  @Test
  void aTableWithTwoColumnsOfOneNameOrNoDescriptionIsRefused() {
    assertThatThrownBy(
            () ->
                declare(
                    List.of(column("event_date", "day"), column("views AS event_date", "day")),
                    "views"))
        .hasMessageStartingWith("Cannot declare gold table t with two columns of one name");
    assertThatThrownBy(() -> declare(List.of(column("event_date", "day")), ""))
        .hasMessage("Cannot declare gold table t without a description");
  }

  @Test
  void aTableIsKeyedByItsGroupingWhoseFirstKeyIsItsUnit() {
    assertThat(GoldTables.bundled("user_features").keyColumns())
        .containsExactly("user_id", "as_of_date");
    assertThat(GoldTables.bundled("sessions").keyColumns()).containsExactly("session_id");
    assertThatThrownBy(
            () ->
                new GoldTable(
                    "t",
                    TimeGrain.DAY,
                    "event_date",
                    "",
                    List.of("event_type AS event_type", "event_date AS event_date"),
                    List.of("count(*) AS views"),
                    List.of(column("event_date", "day")),
                    List.of(),
                    "views"))
        .hasMessage(
            "Cannot declare gold table t: its first grouping key 'event_type AS event_type' must"
                + " yield its unit column event_date");
  }

  @Test
  void onlyAnEntityTableIsPartitionedAndByAKeyAfterItsEntity() {
    assertThat(GoldTables.bundled("user_features").spec().partitionBy())
        .containsExactly("as_of_date");
    assertThat(GoldTables.bundled("user_features_known").stateSpec().orElseThrow().partitionBy())
        .containsExactly("as_of_date");
    assertThat(GoldTables.bundled("sessions").spec().partitionBy()).isEmpty();
    String refused =
        ": only an entity table is, by one of its grouping keys after the entity's, which"
            + " maintenance does not Z-order by";
    assertThatThrownBy(() -> userDays(List.of(), List.of("user_id")))
        .hasMessage("Cannot declare gold table t partitioned by [user_id]" + refused);
    assertThatThrownBy(() -> userDays(List.of("day"), List.of("day")))
        .hasMessage("Cannot declare gold table t partitioned by [day]" + refused);
    assertThatThrownBy(() -> userDays(List.of(), List.of("event_type")))
        .hasMessage("Cannot declare gold table t partitioned by [event_type]" + refused);
    assertThat(userDays(List.of("user_id"), List.of("day")).partitionBy()).containsExactly("day");
  }

  @Test
  void anEntityTableIsLaidOutByItsStartOnlyWhenItKeepsAMinimumAsItIs() {
    GoldTable sessions = GoldTables.bundled("sessions");
    assertThat(sessions.startColumn()).contains("session_start");
    assertThat(sessions.spec().zOrder()).containsExactly("session_start");
    assertThat(sessions.stateSpec().orElseThrow().zOrder()).containsExactly("session_start");
    assertThat(sessions.spec().optimizeFileBytes()).isPositive();
    assertThat(sessions.stateSpec().orElseThrow().optimizeFileBytes()).isPositive();
    GoldTable features = GoldTables.bundled("user_features");
    assertThat(features.startColumn()).isEmpty();
    assertThat(features.stateSpec().orElseThrow().zOrder()).containsExactly("user_id");
    assertThat(features.spec().optimizeFileBytes()).isZero();
    // A maximum grows as events arrive, a minimum shown otherwise than kept is not the kept one,
    // and a time table is replaced by units, not merged.
    assertThat(sessionsBy("max(event_time) AS start", "start").startColumn()).isEmpty();
    assertThat(sessionsBy("min(DISTINCT event_time) AS start", "start").startColumn()).isEmpty();
    assertThat(sessionsBy("min(event_time) AS start", "start + INTERVAL 1 HOUR AS start_plus"))
        .extracting(GoldTable::startColumn)
        .isEqualTo(java.util.Optional.empty());
    assertThat(sessionsBy("MIN(event_time) AS start", "start").startColumn()).contains("start");
    assertThat(DAILY_VIEWS.startColumn()).isEmpty();
  }

  /** Sessions with one aggregate and one column, Z-ordered by {@code start}. */
  private static GoldTable sessionsBy(String aggregate, String column) {
    return new GoldTable(
        "t",
        EntityGrain.SESSION,
        "session_id",
        "",
        List.of("session_id AS session_id"),
        List.of(aggregate),
        List.of(column("session_id", "the session"), column(column, "its start")),
        List.of("start"),
        "sessions");
  }

  private static GoldTable userDays(List<String> clusterBy, List<String> partitionBy) {
    return new GoldTable(
        "t",
        EntityGrain.USER,
        "user_id",
        "",
        List.of("user_id AS user_id", "event_date AS day"),
        List.of("count(*) AS events"),
        List.of(column("events", "events")),
        clusterBy,
        "events per user and day",
        partitionBy);
  }

  private static final GoldTable DAILY_VIEWS =
      declare(List.of(column("event_date", "day"), column("views", "views that day")), "views");

  private static GoldTable declare(List<GoldColumn> columns, String description) {
    return new GoldTable(
        "t",
        TimeGrain.DAY,
        "event_date",
        "",
        List.of("event_date AS event_date"),
        List.of("count(*) AS views"),
        columns,
        List.of(),
        description);
  }
}
