package dev.medallion.common.table;

/**
 * The columns of {@code silver/events} that other code relies on: gold's grains and aggregates,
 * reconciliation, maintenance. Silver writes them under these names; renaming one here renames it
 * everywhere, and a use of a name silver does not write fails to compile.
 */
public final class SilverColumns {
  // Silver keeps the names of the event's own fields.
  public static final String EVENT_ID = EventSchema.EVENT_ID;
  public static final String USER_ID = EventSchema.USER_ID;
  public static final String SESSION_ID = EventSchema.SESSION_ID;
  public static final String EVENT_TYPE = EventSchema.EVENT_TYPE;
  public static final String PRODUCT_ID = EventSchema.PRODUCT_ID;
  public static final String REVENUE = EventSchema.REVENUE;
  public static final String REVENUE_USD = "revenue_usd";
  public static final String EVENT_TIME = "event_time";

  /** The UTC day of the event: silver's partition column. */
  public static final String EVENT_DATE = "event_date";

  /** The UTC hour of the event, as a timestamp. */
  public static final String EVENT_HOUR = "event_hour";

  public static final String SOURCE_TOPIC = "source_topic";
  public static final String SOURCE_PARTITION = "source_partition";
  public static final String SOURCE_OFFSET = "source_offset";
  public static final String CATEGORY = "category";

  /**
   * When bronze ingested the event's first copy: gold's knowledge-time features count an event from
   * the day it was ingested, not the day it happened.
   */
  public static final String INGESTED_AT = "ingested_at";

  private SilverColumns() {}
}
