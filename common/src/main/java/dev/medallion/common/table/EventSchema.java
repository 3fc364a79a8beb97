package dev.medallion.common.table;

import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The JSON event producers send, declared once: the contract between producers (and the test
 * generator, which writes these names), silver's parser and the benchmark's baseline pipeline.
 * {@code timestamp} is epoch milliseconds; {@code revenue} is null except for purchases.
 */
public final class EventSchema {
  public static final String EVENT_ID = "event_id";
  public static final String USER_ID = "user_id";
  public static final String SESSION_ID = "session_id";
  public static final String EVENT_TYPE = "event_type";
  public static final String PRODUCT_ID = "product_id";
  public static final String REVENUE = "revenue";
  public static final String TIMESTAMP = "timestamp";
  public static final String METADATA = "metadata";

  /** Every field, in the order producers write them. */
  public static final List<String> FIELDS =
      List.of(EVENT_ID, USER_ID, SESSION_ID, EVENT_TYPE, PRODUCT_ID, REVENUE, TIMESTAMP, METADATA);

  /** The fields with their JSON types as Spark reads them. */
  public static final StructType SCHEMA =
      new StructType()
          .add(EVENT_ID, DataTypes.StringType)
          .add(USER_ID, DataTypes.StringType)
          .add(SESSION_ID, DataTypes.StringType)
          .add(EVENT_TYPE, DataTypes.StringType)
          .add(PRODUCT_ID, DataTypes.StringType)
          .add(REVENUE, DataTypes.DoubleType)
          .add(TIMESTAMP, DataTypes.LongType)
          .add(METADATA, DataTypes.StringType);

  private EventSchema() {}
}
