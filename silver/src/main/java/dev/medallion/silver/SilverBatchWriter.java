package dev.medallion.silver;

import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.get;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.split_part;
import static org.apache.spark.sql.functions.unix_date;

import dev.medallion.common.SilverColumns;
import dev.medallion.common.spark.TableWrites;
import io.delta.tables.DeltaTable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Writes one micro-batch of bronze rows: invalid records appended to the quarantine, valid ones
 * merged into silver, the two at once. Both writes are safe to repeat when Spark retries a batch:
 * the quarantine append carries the batch id as a Delta transaction version, and the silver MERGE
 * only inserts event ids that are not there yet.
 */
final class SilverBatchWriter {
  /** Spark sets this local property to the running query's id (stable across restarts). */
  private static final String QUERY_ID_PROPERTY = "sql.streaming.queryId";

  private final SparkSession spark;
  private final SilverTargets targets;
  private final Dataset<Row> products;
  private final ValidationRules rules;
  private final SilverCounts counts = new SilverCounts();

  SilverBatchWriter(
      SparkSession spark, SilverTargets targets, Dataset<Row> products, ValidationRules rules) {
    this.spark = spark;
    this.targets = targets;
    this.products = products;
    this.rules = rules;
  }

  SilverCounts counts() {
    return counts;
  }

  /** The silver schema, derived by running the transforms on no rows. */
  Dataset<Row> emptySilver(Dataset<Row> emptyBronze) {
    return silverRows(SilverTransforms.validEvents(classify(emptyBronze), rules.fxRate()));
  }

  Dataset<Row> emptyQuarantine(Dataset<Row> emptyBronze) {
    return SilverTransforms.quarantineRows(classify(emptyBronze));
  }

  void write(Dataset<Row> bronzeBatch, long batchId) {
    Dataset<Row> classified =
        SilverTransforms.slim(classify(bronzeBatch)).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<String> codes = rules.reasonCodes();
      List<Column> measures = new ArrayList<>();
      measures.add(count_if(lit(true)));
      measures.add(count_if(size(col("reasons")).equalTo(0)));
      measures.add(count_if(array_contains(col("reasons"), ValidationRules.NULL_VALUE)));
      Column reason = split_part(get(col("reasons"), lit(0)), lit(":"), lit(1));
      codes.forEach(code -> measures.add(count_if(reason.equalTo(code))));
      Row sizes =
          classified
              .agg(measures.get(0), measures.subList(1, measures.size()).toArray(Column[]::new))
              .head();
      long records = sizes.getLong(0);
      long valid = sizes.getLong(1);
      Map<String, Long> byReason = new LinkedHashMap<>();
      for (int i = 0; i < codes.size(); i++) {
        if (sizes.getLong(3 + i) > 0) {
          byReason.put(codes.get(i), sizes.getLong(3 + i));
        }
      }
      String queryId = spark.sparkContext().getLocalProperty(QUERY_ID_PROPERTY);
      AtomicLong inserted = new AtomicLong();
      List<Runnable> writes = new ArrayList<>();
      if (records > valid) {
        writes.add(
            () ->
                SilverTransforms.quarantineRows(classified)
                    .write()
                    .format("delta")
                    .mode("append")
                    .option("txnAppId", "medallion-silver-quarantine-" + queryId)
                    .option("txnVersion", batchId)
                    .save(targets.quarantine()));
      }
      if (valid > 0) {
        writes.add(
            () -> inserted.set(merge(SilverTransforms.validEvents(classified, rules.fxRate()))));
      }
      TableWrites.forEach(writes, Runnable::run);
      counts.add(records, valid, byReason, inserted.get(), sizes.getLong(2));
    } finally {
      classified.unpersist();
    }
  }

  /**
   * Inserts the events whose event_id silver does not hold yet and returns how many. The MERGE
   * condition names the batch's event dates, so Delta reads only those partitions of silver: the
   * cost follows the new data, not the table.
   */
  long merge(Dataset<Row> validEvents) {
    // Typed values, never SQL text: a date from the data must not reach a parser.
    Object[] dates =
        validEvents
            .select(unix_date(col(SilverColumns.EVENT_DATE)))
            .distinct()
            .collectAsList()
            .stream()
            .map(row -> lit(LocalDate.ofEpochDay(row.getInt(0))))
            .toArray();
    if (dates.length == 0) {
      return 0;
    }
    Column target = col("t." + SilverColumns.EVENT_DATE);
    Row metrics =
        DeltaTable.forPath(spark, targets.events())
            .as("t")
            .merge(
                silverRows(validEvents).as("s"),
                target
                    .isin(dates)
                    .and(target.equalTo(col("s." + SilverColumns.EVENT_DATE)))
                    .and(
                        col("t." + SilverColumns.EVENT_ID)
                            .equalTo(col("s." + SilverColumns.EVENT_ID))))
            .whenNotMatched()
            .insertAll()
            .execute()
            .head();
    return metrics.<Long>getAs("num_inserted_rows");
  }

  private Dataset<Row> classify(Dataset<Row> bronze) {
    return SilverTransforms.classify(bronze, rules);
  }

  private Dataset<Row> silverRows(Dataset<Row> validEvents) {
    return SilverTransforms.enrich(SilverTransforms.firstPerEventId(validEvents), products);
  }
}
