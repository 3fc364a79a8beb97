package dev.medallion.silver;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.get;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.split_part;
import static org.apache.spark.sql.functions.unix_date;
import static org.apache.spark.sql.functions.when;

import dev.medallion.common.config.Expectation;
import dev.medallion.common.error.Errors;
import dev.medallion.common.spark.TableWrites;
import dev.medallion.common.table.SilverColumns;
import io.delta.tables.DeltaTable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Writes one micro-batch of bronze rows: invalid records appended to the quarantine, valid ones
 * merged into silver, the two at once, after the operator's expectations and the anomaly checks
 * judged the batch (a broken expectation or an anomaly whose action is to fail stops it before
 * either write; an anomaly whose action is to quarantine sends all of it to the quarantine). Both
 * writes are safe to repeat when Spark retries a batch: the quarantine append carries the batch id
 * as a Delta transaction version, and the silver MERGE only inserts event ids that are not there
 * yet.
 */
final class SilverBatchWriter {
  /** Spark sets this local property to the running query's id (stable across restarts). */
  private static final String QUERY_ID_PROPERTY = "sql.streaming.queryId";

  /** The most in-batch repeated event ids joined by broadcast (about 100 MB of ids). */
  private static final long MAX_BROADCAST_IDS = 1_000_000;

  private final SparkSession spark;
  private final SilverTargets targets;
  private final Dataset<Row> products;
  private final ValidationRules rules;
  private final AnomalyChecks anomalies;
  private final SilverCounts counts = new SilverCounts();
  private volatile String held;

  SilverBatchWriter(
      SparkSession spark,
      SilverTargets targets,
      Dataset<Row> products,
      ValidationRules rules,
      AnomalyChecks anomalies) {
    this.spark = spark;
    this.targets = targets;
    this.products = products;
    this.rules = rules;
    this.anomalies = anomalies;
  }

  SilverCounts counts() {
    return counts;
  }

  /** The silver schema, derived by running the transforms on no rows. */
  Dataset<Row> emptySilver(Dataset<Row> emptyBronze) {
    Dataset<Row> none = SilverTransforms.validEvents(classify(emptyBronze), rules.fxRate());
    return silverRows(none, SilverTransforms.repeatedEventIds(none));
  }

  Dataset<Row> emptyQuarantine(Dataset<Row> emptyBronze) {
    return SilverTransforms.quarantineRows(classify(emptyBronze));
  }

  /**
   * Holds every record of the run's batches in the quarantine (reason {@code ANOMALY:<check>}),
   * after an anomaly in the run's volume under {@code anomaly.action=quarantine}.
   */
  void holdAll(String check) {
    this.held = check;
  }

  void write(Dataset<Row> bronzeBatch, long batchId) {
    Dataset<Row> classified =
        SilverTransforms.slim(classify(bronzeBatch)).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<String> codes = rules.reasonCodes();
      List<Expectation> checked = rules.checkedExpectations();
      Column valid = size(col("reasons")).equalTo(0);
      List<Column> measures = new ArrayList<>();
      measures.add(count_if(lit(true)));
      measures.add(count_if(valid));
      measures.add(count_if(array_contains(col("reasons"), ValidationRules.NULL_VALUE)));
      Column reason = split_part(get(col("reasons"), lit(0)), lit(":"), lit(1));
      codes.forEach(code -> measures.add(count_if(reason.equalTo(code))));
      checked.forEach(
          e -> measures.add(count_if(array_contains(col(SilverTransforms.BROKEN), e.name()))));
      AnomalyChecks.OPTIONAL_FIELDS.forEach(
          field -> measures.add(count_if(valid.and(col("_p." + field).isNull()))));
      // The valid events' dates come with the counts, so the MERGE needs no job to find them.
      measures.add(collect_set(when(valid, SilverTransforms.eventDay())));
      Row sizes =
          classified
              .agg(measures.get(0), measures.subList(1, measures.size()).toArray(Column[]::new))
              .head();
      int at = 3;
      long records = sizes.getLong(0);
      long validCount = sizes.getLong(1);
      Map<String, Long> byReason = new LinkedHashMap<>();
      for (String code : codes) {
        long count = sizes.getLong(at++);
        if (count > 0) {
          byReason.put(code, count);
        }
      }
      Map<String, Long> byExpectation = new LinkedHashMap<>();
      for (Expectation e : rules.expectations(Expectation.Action.QUARANTINE)) {
        byExpectation.put(e.qualifiedName(), byReason.getOrDefault(e.name(), 0L));
      }
      for (Expectation e : checked) {
        long broken = sizes.getLong(at++);
        if (broken > 0 && e.action() == Expectation.Action.FAIL) {
          throw e.failed(broken, "micro-batch " + batchId);
        }
        byExpectation.put(e.qualifiedName(), broken);
      }
      Map<String, Long> nulls = new LinkedHashMap<>();
      for (String field : AnomalyChecks.OPTIONAL_FIELDS) {
        nulls.put(field, sizes.getLong(at++));
      }
      List<Integer> days = sizes.getList(at);
      String hold = held;
      Optional<String> anomaly =
          hold != null
              ? Optional.empty()
              : anomalies.batch(records, records - validCount, validCount, nulls);
      if (anomaly.isPresent()) {
        String found = "micro-batch " + batchId + ": " + anomaly.get();
        switch (anomalies.action()) {
          case FAIL ->
              throw Errors.anomalyFound(SilverJob.LAYER, "micro-batch " + batchId, anomaly.get());
          case QUARANTINE -> {
            hold = "batch";
            counts.warn("anomaly, records held in the quarantine: " + found);
          }
          case WARN -> counts.warn("anomaly: " + found);
        }
      }
      if (hold != null) {
        if (validCount > 0) {
          byReason.merge(AnomalyChecks.REASON, validCount, Long::sum);
        }
        appendToQuarantine(heldBack(bronzeBatch, hold), batchId);
        counts.add(records, 0, byReason, 0, sizes.getLong(2), byExpectation, Map.of());
        return;
      }
      AtomicLong inserted = new AtomicLong();
      List<Runnable> writes = new ArrayList<>();
      if (records > validCount) {
        writes.add(() -> appendToQuarantine(SilverTransforms.quarantineRows(classified), batchId));
      }
      if (validCount > 0) {
        writes.add(
            () ->
                inserted.set(
                    merge(
                        SilverTransforms.validEvents(classified, rules.fxRate()),
                        days,
                        validCount)));
      }
      TableWrites.forEach(writes, Runnable::run);
      counts.add(
          records, validCount, byReason, inserted.get(), sizes.getLong(2), byExpectation, nulls);
    } finally {
      classified.unpersist();
    }
  }

  /**
   * Appends quarantine rows, once per batch: the append carries the batch id as a Delta transaction
   * version, so a retried batch is not appended twice.
   */
  private void appendToQuarantine(Dataset<Row> rows, long batchId) {
    String queryId = spark.sparkContext().getLocalProperty(QUERY_ID_PROPERTY);
    rows.write()
        .format("delta")
        .mode("append")
        .option("txnAppId", "medallion-silver-quarantine-" + queryId)
        .option("txnVersion", batchId)
        .save(targets.quarantine());
  }

  /**
   * Every record of a batch as quarantine rows, the valid ones with the reason {@code
   * ANOMALY:<check>}: classified again from the batch, as the raw bytes of valid records are not
   * kept in memory.
   */
  private Dataset<Row> heldBack(Dataset<Row> bronzeBatch, String check) {
    Dataset<Row> classified = classify(bronzeBatch);
    return SilverTransforms.quarantineRows(
        classified.withColumn(
            "reasons",
            when(size(col("reasons")).equalTo(0), array(lit(AnomalyChecks.REASON + ":" + check)))
                .otherwise(col("reasons"))));
  }

  /**
   * Inserts the events whose event_id silver does not hold yet and returns how many ({@code
   * validCount} is how many rows {@code validEvents} holds, or more).
   */
  long merge(Dataset<Row> validEvents, long validCount) {
    List<Integer> days =
        validEvents
            .select(unix_date(col(SilverColumns.EVENT_DATE)))
            .distinct()
            .collectAsList()
            .stream()
            .map(row -> row.getInt(0))
            .toList();
    return merge(validEvents, days, validCount);
  }

  /**
   * Inserts the events whose event_id silver does not hold yet and returns how many. The MERGE
   * condition names the batch's event dates ({@code days}, days since 1970-01-01), so Delta reads
   * only those partitions of silver: the cost follows the new data, not the table.
   */
  private long merge(Dataset<Row> validEvents, List<Integer> days, long validCount) {
    if (days.isEmpty()) {
      return 0;
    }
    // Typed values, never SQL text: a date from the data must not reach a parser.
    Object[] dates = days.stream().map(day -> lit(LocalDate.ofEpochDay(day))).toArray();
    Dataset<Row> repeated =
        SilverTransforms.repeatedEventIds(validEvents).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      // Joined by broadcast, the batch's rows stay where they are; past a million ids (a replayed
      // topic), both sides are shuffled instead, within memory. A batch of at most a million valid
      // rows cannot repeat more ids than that: no job to count them.
      boolean small = validCount <= MAX_BROADCAST_IDS || repeated.count() <= MAX_BROADCAST_IDS;
      Dataset<Row> ids = small ? broadcast(repeated) : repeated;
      Column target = col("t." + SilverColumns.EVENT_DATE);
      Row metrics =
          DeltaTable.forPath(spark, targets.events())
              .as("t")
              .merge(
                  silverRows(validEvents, ids).as("s"),
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
    } finally {
      repeated.unpersist();
    }
  }

  private Dataset<Row> classify(Dataset<Row> bronze) {
    return SilverTransforms.classify(bronze, rules);
  }

  private Dataset<Row> silverRows(Dataset<Row> validEvents, Dataset<Row> repeatedIds) {
    return SilverTransforms.enrich(
        SilverTransforms.firstPerEventId(validEvents, repeatedIds), products);
  }
}
