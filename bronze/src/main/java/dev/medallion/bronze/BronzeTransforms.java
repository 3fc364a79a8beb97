package dev.medallion.bronze;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.to_date;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Kafka source rows to bronze rows. Pure: no IO, testable on tiny frames. */
public final class BronzeTransforms {
  private BronzeTransforms() {}

  /**
   * Keeps every Kafka column losslessly and stamps the ingestion time; in a streaming query {@code
   * current_timestamp()} is fixed per micro-batch.
   */
  public static Dataset<Row> toBronze(Dataset<Row> kafkaRows) {
    Column ingestedAt = current_timestamp();
    return kafkaRows.select(
        col("key"),
        col("value"),
        col("topic"),
        col("partition"),
        col("offset"),
        col("timestamp").as("kafka_timestamp"),
        col("headers"),
        ingestedAt.as("ingested_at"),
        to_date(ingestedAt).as("ingest_date"));
  }
}
