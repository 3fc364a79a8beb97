package dev.medallion.common.table;

import java.util.List;

/**
 * The tables of bronze and silver. Gold's tables are declared with their aggregates in the gold
 * module ({@code GoldTables}); the launcher lists both together.
 */
public final class CoreTables {
  public static final String BRONZE = "bronze";
  public static final String SILVER = "silver";
  public static final String GOLD = "gold";

  /** Silver's query over bronze's new rows. */
  public static final StreamReader SILVER_READS_BRONZE = new StreamReader(SILVER, "events");

  /** Gold's query over silver's change data feed. */
  public static final StreamReader GOLD_READS_SILVER = new StreamReader(GOLD, "changes");

  /** Every Kafka record once, partitioned by the day it was ingested. */
  public static final TableSpec BRONZE_EVENTS =
      new TableSpec(
          BRONZE, "events", List.of("ingest_date"), List.of(), List.of(SILVER_READS_BRONZE));

  /**
   * Valid events, one per event_id. Z-ordered by event_id: the MERGE that deduplicates silver joins
   * on it within a day, and the order lets Delta skip files that cannot match.
   */
  public static final TableSpec SILVER_EVENTS =
      new TableSpec(
          SILVER,
          "events",
          List.of(SilverColumns.EVENT_DATE),
          List.of(SilverColumns.EVENT_ID),
          List.of(GOLD_READS_SILVER));

  /** Invalid records with the reason. */
  public static final TableSpec SILVER_QUARANTINE =
      new TableSpec(SILVER, "quarantine", List.of(), List.of(), List.of());

  public static final List<TableSpec> ALL =
      List.of(BRONZE_EVENTS, SILVER_EVENTS, SILVER_QUARANTINE);

  /** The tables of {@code layer} declared here: what a run of bronze or silver writes. */
  public static List<TableSpec> ofLayer(String layer) {
    return ALL.stream().filter(table -> table.layer().equals(layer)).toList();
  }

  private CoreTables() {}
}
