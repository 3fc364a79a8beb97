"""The peer of medallion's flow, written as a Spark Declarative Pipeline would be written:
Kafka -> bronze_events and silver_events (streaming tables, read incrementally) -> medallion's six
gold tables as materialized views, recomputed in full each run. Their SQL is medallion's own
declarations (gold/tables/*.sql), which the harness (bench/) copies beside this file reading
silver_events. The harness runs it with spark-pipelines on the same records as medallion and
compares their times.

silver_events reads the topic itself, not bronze_events: on Spark Connect a keyed dropDuplicates
is analysed when the flow is registered, before a first run has created bronze_events
(TABLE_OR_VIEW_NOT_FOUND), so a silver that reads bronze_events cannot deduplicate by event_id.
The peer drops invalid events where medallion quarantines them, and takes an event's ingestion
time (user_features_known's clock) from its Kafka record where medallion takes bronze's.
"""

from pyspark import pipelines as dp
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

spark = SparkSession.active()

EVENT_SCHEMA = (
    "event_id STRING, user_id STRING, session_id STRING, event_type STRING, product_id STRING,"
    " revenue DOUBLE, timestamp BIGINT, metadata STRING"
)


def kafka() -> DataFrame:
    return (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", spark.conf.get("peer.kafka.bootstrap.servers"))
        .option("subscribe", spark.conf.get("peer.kafka.topic"))
        .option("startingOffsets", "earliest")
        .load()
    )


@dp.table(name="bronze_events")
def bronze_events() -> DataFrame:
    return kafka().selectExpr(
        "CAST(key AS STRING) AS key", "value", "topic", "partition", "offset", "timestamp"
    )


@dp.table(name="silver_events")
def silver_events() -> DataFrame:
    products = (
        spark.read.option("header", "true")
        .csv(spark.conf.get("peer.products.path"))
        .select(F.col("product_id").alias("ref_product_id"), "product_name", "category", "brand")
    )
    fx_rate = float(spark.conf.get("peer.fx.rate"))
    events = (
        kafka()
        .select(
            F.from_json(F.col("value").cast("string"), EVENT_SCHEMA).alias("e"),
            F.col("timestamp").alias("ingested_at"),
        )
        .select("e.*", "ingested_at")
        .where(
            "event_id IS NOT NULL AND event_type IS NOT NULL AND timestamp >= 946684800000"
            f" AND (revenue IS NULL OR (NOT isnan(revenue) AND abs(revenue) * {fx_rate} < 1e14))"
        )
        .dropDuplicates(["event_id"])
        .withColumn("event_time", F.timestamp_millis("timestamp"))
        .withColumn("event_hour", F.date_trunc("hour", "event_time"))
        .withColumn("event_date", F.to_date("event_time"))
        .withColumn(
            "revenue_usd",
            F.expr(f"CAST(CAST(revenue AS DECIMAL(20,6)) * {fx_rate} AS DECIMAL(20,6))"),
        )
    )
    return events.join(F.broadcast(products), F.expr("product_id <=> ref_product_id"), "left").drop(
        "ref_product_id"
    )

