package dev.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An entity table adds new events to partial aggregates: each aggregate must say how its partials
 * combine, and one that cannot is refused by name before any data is read.
 */
class RollupTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "count(*) AS events|CAST(sum(`events`) AS BIGINT) AS `events`",
        "count_if(event_type = 'purchase') AS buys|CAST(sum(`buys`) AS BIGINT) AS `buys`",
        "min(event_time) AS first_seen|min(`first_seen`) AS `first_seen`",
        "MAX(event_time) AS last_seen|max(`last_seen`) AS `last_seen`",
        "collect_list(category) AS cats|flatten(collect_list(`cats`)) AS `cats`",
        "collect_set(event_date) AS days|array_distinct(flatten(collect_list(`days`))) AS `days`",
        "coalesce(sum(revenue), 0) AS revenue|CAST(sum(`revenue`) AS BIGINT) AS `revenue`"
      })
  void anAggregateCombinesFromItsPartials(String aggregate, String combined) {
    assertThat(Rollup.of("t", aggregate, DataTypes.LongType)).isEqualTo(combined);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "avg(revenue) AS aov|avg does not combine from partial results",
        "count(DISTINCT user_id) AS users|only count, count_if, sum, min, max",
        "count(*) FILTER (WHERE revenue > 0) AS paid|only count, count_if, sum, min, max",
        "sum(revenue) + 1 AS plus|only count, count_if, sum, min, max",
        "coalesce(min(revenue), 0) AS low|coalesce combines only around sum or count",
        "count(*)|it has no 'AS name'",
        "count(* AS broken|it is not SQL Spark parses"
      })
  void anAggregateThatDoesNotCombineIsRefusedByName(String aggregate, String why) {
    assertThatThrownBy(() -> Rollup.of("t", aggregate, DataTypes.LongType))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Cannot keep gold table t from partial aggregates: '"
                + aggregate
                + "' does not combine")
        .hasMessageContaining(why);
  }

  @Test
  void everyBundledEntityTableCombines() {
    for (GoldTable table : GoldTables.bundled().all()) {
      if (table.grain() instanceof EntityGrain) {
        for (String aggregate : table.aggregates()) {
          assertThat(Rollup.of(table.name(), aggregate, DataTypes.LongType))
              .as(aggregate)
              .isNotBlank();
        }
      }
    }
  }
}
