package dev.medallion.gold;

/**
 * The unit a gold table is recomputed by. Each grain names the silver column that holds it;
 * silver is partitioned by {@code event_date}, so both grains prune silver's partitions.
 */
public enum TimeGrain {
  HOUR("event_hour", "TIMESTAMP"),
  DAY("event_date", "DATE");

  private final String silverColumn;
  private final String literalType;

  TimeGrain(String silverColumn, String literalType) {
    this.silverColumn = silverColumn;
    this.literalType = literalType;
  }

  /** The silver column whose values are this grain's units. */
  public String silverColumn() {
    return silverColumn;
  }

  /** A SQL literal of one unit, e.g. {@code TIMESTAMP'2026-01-01 05:00:00'}. */
  String literal(Object unit) {
    String text = unit instanceof java.sql.Timestamp ts ? ts.toLocalDateTime().toString().replace('T', ' ') : unit.toString();
    return literalType + "'" + text + "'";
  }
}
