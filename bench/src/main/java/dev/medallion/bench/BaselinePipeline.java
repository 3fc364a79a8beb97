package dev.medallion.bench;

import static org.apache.spark.sql.functions.approx_count_distinct;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.window;

import dev.medallion.common.table.EventSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.StructType;

/**
 * The straightforward pipeline the source blog calls its "complete production pipeline", written
 * the same way, for comparison only: Kafka -> parse -> dropDuplicates -> hourly aggregation in
 * {@code outputMode("complete")} to Delta, 400 shuffle partitions, a 5-minute watermark. Two
 * changes were needed for it to run at all on Spark 4.2: the watermark is on an event-time
 * timestamp (Spark rejects one on a long), and {@code countDistinct} becomes {@code
 * approx_count_distinct} (exact distinct aggregations are not supported on streams) — so its unique
 * users are approximate, and its watermark drops late duplicates' state.
 *
 * <p>Arguments: bootstrap servers, topic, output directory.
 */
public final class BaselinePipeline {
  private BaselinePipeline() {}

  public static void main(String[] args) throws Exception {
    SparkSession spark =
        SparkSession.builder()
            .appName("EcommerceAnalyticsPipeline")
            .master("local[*]")
            .config("spark.sql.adaptive.enabled", "true")
            .config("spark.sql.adaptive.coalescePartitions.enabled", "true")
            .config("spark.sql.shuffle.partitions", "400")
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config(
                "spark.sql.catalog.spark_catalog",
                "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    StructType schema = EventSchema.SCHEMA;
    Dataset<Row> parsed =
        spark
            .readStream()
            .format("kafka")
            .option("kafka.bootstrap.servers", args[0])
            .option("subscribe", args[1])
            .option("startingOffsets", "earliest")
            .load()
            .select(from_json(col("value").cast("string"), schema).alias("e"))
            .select("e.*")
            .withColumn("event_time", col("timestamp").divide(1000).cast("timestamp"));
    Dataset<Row> hourlyRevenue =
        parsed
            .withWatermark("event_time", "5 minutes")
            .dropDuplicates("event_id", "event_time")
            .withColumn("revenue_usd", col("revenue").multiply(lit(1.08)))
            .groupBy(window(col("event_time"), "1 hour"), col("event_type"))
            .agg(
                sum("revenue_usd").alias("total_revenue"),
                approx_count_distinct("user_id").alias("unique_users"),
                avg("revenue_usd").alias("avg_order_value"));
    hourlyRevenue
        .writeStream()
        .format("delta")
        .outputMode("complete")
        .option("checkpointLocation", args[2] + "/checkpoint")
        .trigger(Trigger.AvailableNow())
        .start(args[2] + "/hourly_revenue")
        .awaitTermination();
    spark.stop();
  }
}
