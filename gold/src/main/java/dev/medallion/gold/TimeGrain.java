package dev.medallion.gold;

import dev.medallion.common.table.SilverColumns;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The unit a gold table is recomputed by. Each grain names the silver column that holds it; silver
 * is partitioned by {@code event_date}, so both grains prune silver's partitions.
 */
public enum TimeGrain implements Grain {
  HOUR(SilverColumns.EVENT_HOUR, "TIMESTAMP"),
  DAY(SilverColumns.EVENT_DATE, "DATE");

  private final String silverColumn;
  private final String literalType;

  TimeGrain(String silverColumn, String literalType) {
    this.silverColumn = silverColumn;
    this.literalType = literalType;
  }

  @Override
  public String silverColumn() {
    return silverColumn;
  }

  /**
   * A SQL literal of one unit, {@code DATE'2026-01-01'} for a {@link LocalDate} or {@code
   * TIMESTAMP'2026-01-01T05:00:00Z'} for an {@link Instant}: typed values with an explicit UTC
   * offset, so the literal means the same instant whatever the JVM's or the session's zone.
   */
  String literal(Object unit) {
    if (!(unit instanceof Instant) && !(unit instanceof LocalDate)) {
      throw new IllegalArgumentException(
          "Cannot write a literal of " + unit + ": units are Instant or LocalDate");
    }
    return literalType + "'" + unit + "'";
  }

  /** The UTC day of a unit. */
  static LocalDate day(Object unit) {
    return unit instanceof Instant instant
        ? LocalDate.ofInstant(instant, ZoneOffset.UTC)
        : (LocalDate) unit;
  }
}
