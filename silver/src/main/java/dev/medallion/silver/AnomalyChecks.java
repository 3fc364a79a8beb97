package dev.medallion.silver;

import dev.medallion.common.config.Expectation;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import dev.medallion.common.ledger.RunLedger;
import dev.medallion.common.table.EventSchema;
import dev.medallion.common.table.TableLocations;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.apache.spark.sql.SparkSession;

/**
 * Silver's anomaly checks: a run, or a micro-batch, compared with the median of the layer's
 * trailing successful runs in the run ledger. A producer that stopped sending most of its events,
 * started leaving a field empty or broke a field's type shows as a drop in volume, a jump in a null
 * rate or in the quarantine's share, long before anyone looks at a dashboard. The median is robust
 * to the odd catch-up run; a run that held records back for an anomaly is no baseline (its shares
 * are the hold's, not its data's); with fewer than {@link #MIN_RUNS} runs to compare with, nothing
 * is judged. The trailing runs are read when a run first has records to judge: a run that finds
 * nothing new does not pay for a query of the ledger (seconds in a fresh JVM).
 */
final class AnomalyChecks {
  /** Runs needed in the ledger before anything is judged. */
  static final int MIN_RUNS = 3;

  /** Batches smaller than this are too small for their shares to mean much. */
  static final long MIN_BATCH_ROWS = 1_000;

  /** The quarantine's reason code for records held back by an anomaly. */
  static final String REASON = RunLedger.HELD_BY_ANOMALY;

  /** The event fields that may be null in a valid event: their null rates are compared. */
  static final List<String> OPTIONAL_FIELDS =
      List.of(
          EventSchema.USER_ID,
          EventSchema.SESSION_ID,
          EventSchema.PRODUCT_ID,
          EventSchema.REVENUE,
          EventSchema.METADATA);

  /** Checks that judge nothing: no history, or turned off. */
  static final AnomalyChecks NONE = new AnomalyChecks(List::of, 1, 1, 1, Expectation.Action.WARN);

  private final Supplier<List<RunLedger.PastRun>> history;
  private List<RunLedger.PastRun> past;
  private final double volumeBand;
  private final double nullRateBand;
  private final double quarantineJump;
  private final Expectation.Action action;

  private AnomalyChecks(
      Supplier<List<RunLedger.PastRun>> history,
      double volumeBand,
      double nullRateBand,
      double quarantineJump,
      Expectation.Action action) {
    this.history = history;
    this.volumeBand = volumeBand;
    this.nullRateBand = nullRateBand;
    this.quarantineJump = quarantineJump;
    this.action = action;
  }

  /** The checks of a silver run, against the ledger's trailing runs of {@code command}. */
  static AnomalyChecks load(
      SparkSession spark, MedallionConfig config, TableLocations tables, String command) {
    int runs = config.get(Settings.ANOMALY_TRAILING_RUNS);
    return new AnomalyChecks(
        () -> RunLedger.trailing(spark, tables, SilverJob.LAYER, command, runs),
        config.get(Settings.ANOMALY_VOLUME_BAND),
        config.get(Settings.ANOMALY_NULL_RATE_BAND),
        config.get(Settings.ANOMALY_QUARANTINE_JUMP),
        Expectation.Action.named(config.get(Settings.ANOMALY_ACTION)));
  }

  Expectation.Action action() {
    return action;
  }

  private boolean judging() {
    return past().size() >= MIN_RUNS;
  }

  private List<RunLedger.PastRun> past() {
    if (past == null) {
      past = List.copyOf(history.get());
    }
    return past;
  }

  /** An anomaly in the number of records a run is about to read. */
  Optional<String> volume(long records) {
    if (!judging()) {
      return Optional.empty();
    }
    double median = median(run -> run.rowsIn());
    if (records >= median / volumeBand && records <= median * volumeBand) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            Locale.ROOT,
            "volume: %d records to read, against a median of %.0f over the last %d runs (band"
                + " x%s, anomaly.volume.band)",
            records,
            median,
            past().size(),
            format(volumeBand)));
  }

  /**
   * An anomaly in one micro-batch's shares: the quarantine's, and each optional field's nulls.
   *
   * @param nulls valid events without each optional field
   */
  Optional<String> batch(long records, long quarantined, long valid, Map<String, Long> nulls) {
    if (!judging()) {
      return Optional.empty();
    }
    List<String> found = new ArrayList<>();
    if (records >= MIN_BATCH_ROWS) {
      double share = (double) quarantined / records;
      double median = median(run -> (double) run.quarantined() / run.rowsIn());
      if (share > median + quarantineJump) {
        found.add(
            String.format(
                Locale.ROOT,
                "quarantine share %s against a median of %s (jump allowed %s,"
                    + " anomaly.quarantine.jump)",
                percent(share),
                percent(median),
                percent(quarantineJump)));
      }
    }
    if (valid >= MIN_BATCH_ROWS) {
      for (String field : OPTIONAL_FIELDS) {
        if (past().stream().anyMatch(run -> !run.nullRates().containsKey(field))) {
          continue;
        }
        double rate = (double) nulls.getOrDefault(field, 0L) / valid;
        double median = median(run -> run.nullRates().get(field));
        if (Math.abs(rate - median) > nullRateBand) {
          found.add(
              String.format(
                  Locale.ROOT,
                  "%s null in %s of valid events against a median of %s (band %s,"
                      + " anomaly.null.rate.band)",
                  field,
                  percent(rate),
                  percent(median),
                  percent(nullRateBand)));
        }
      }
    }
    return found.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", found));
  }

  private double median(ToDoubleFunction<RunLedger.PastRun> value) {
    double[] values = past().stream().mapToDouble(value).sorted().toArray();
    int middle = values.length / 2;
    return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, "%.1f%%", share * 100);
  }

  private static String format(double value) {
    return value == Math.rint(value)
        ? String.valueOf((long) value)
        : String.format(Locale.ROOT, "%s", value);
  }
}
