package dev.medallion.common;

/**
 * The columns of {@code silver/events} that other code relies on: gold's grains and aggregates,
 * reconciliation, maintenance. Silver writes them under these names; renaming one here renames it
 * everywhere, and a use of a name silver does not write fails to compile.
 */
public final class SilverColumns {
  public static final String EVENT_ID = "event_id";
  public static final String USER_ID = "user_id";
  public static final String SESSION_ID = "session_id";
  public static final String EVENT_TYPE = "event_type";
  public static final String PRODUCT_ID = "product_id";
  public static final String REVENUE = "revenue";
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

  private SilverColumns() {}
}
