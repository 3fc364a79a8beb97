package dev.medallion.common.delta;

import dev.medallion.common.table.StreamReader;
import dev.medallion.common.table.TableLocations;
import dev.medallion.common.table.TableSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.util.IntervalUtils;
import org.apache.spark.unsafe.types.CalendarInterval;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Keeps Delta's log cleanup from deleting commits a downstream streaming reader has yet to read.
 * Each time a writer checkpoints a table's log, Delta deletes the commits older than {@code
 * delta.logRetentionDuration} (30 days unless set); a reader that fell that far behind (a paused
 * schedule, a layer that failed for weeks) could then never resume. Before a writer commits, a
 * reader that has used half the retention gets it raised to four times its lag: it is raised again
 * only if the lag doubles.
 */
public final class LogRetention {
  static final String PROPERTY = "delta.logRetentionDuration";
  static final Duration DELTA_DEFAULT = Duration.ofDays(30);
  static final String DELETED_FILE_PROPERTY = "delta.deletedFileRetentionDuration";
  static final Duration DELETED_FILE_DEFAULT = Duration.ofDays(7);
  private static final long MICROS_PER_DAY = Duration.ofDays(1).toNanos() / 1_000;

  private LogRetention() {}

  /**
   * Raises {@code table}'s log retention if one of its readers needs it; returns the warning to log
   * when it did, naming the reader and how far behind it is.
   */
  public static Optional<String> coverReaders(
      SparkSession spark, TableLocations locations, TableSpec table, Instant now) {
    String path = locations.of(table);
    long latest = DeltaTables.version(spark, path);
    if (latest == DeltaTables.NO_VERSION) {
      return Optional.empty();
    }
    Optional<Instant> oldestNeeded = Optional.empty();
    StreamReader slowest = null;
    for (StreamReader reader : table.readers()) {
      OptionalLong firstUnread =
          ReaderPosition.firstUnreadVersion(spark, locations.checkpoint(reader));
      if (firstUnread.isEmpty() || firstUnread.getAsLong() > latest) {
        continue;
      }
      Instant committed = DeltaTables.commitTime(spark, path, firstUnread.getAsLong());
      // EPOCH: the commit is gone already; the reader's own run says so and how to recover.
      if (!committed.equals(Instant.EPOCH) && oldestNeeded.map(committed::isBefore).orElse(true)) {
        oldestNeeded = Optional.of(committed);
        slowest = reader;
      }
    }
    if (oldestNeeded.isEmpty()) {
      return Optional.empty();
    }
    Duration behind = Duration.between(oldestNeeded.get(), now);
    Map<String, String> properties = properties(spark, path);
    Duration retention = interval(properties.get(PROPERTY), DELTA_DEFAULT);
    if (behind.multipliedBy(2).compareTo(retention) < 0) {
      return Optional.empty();
    }
    // Delta refuses a log retention below the deleted-file retention; it checks the properties a
    // change sets against the defaults, so a deleted-file retention the table sets is restated.
    String deletedFiles = properties.get(DELETED_FILE_PROPERTY);
    long days =
        Math.max(
            ceilDays(behind.multipliedBy(4)),
            ceilDays(interval(deletedFiles, DELETED_FILE_DEFAULT)));
    spark.sql(
        "ALTER TABLE "
            + DeltaTables.sqlIdentifier(path)
            + " SET TBLPROPERTIES ('"
            + PROPERTY
            + "' = 'interval "
            + days
            + " days'"
            + (deletedFiles == null
                ? ""
                : ", '" + DELETED_FILE_PROPERTY + "' = '" + deletedFiles + "'")
            + ")");
    return Optional.of(
        String.format(
            "%s: raised %s from %s to %d days: %s has not read it since %s (%d hours ago), and"
                + " Delta's log cleanup would delete commits it still needs; run bin/medallion %s",
            table.sqlName(),
            PROPERTY,
            describe(retention),
            days,
            slowest.layer(),
            oldestNeeded.get(),
            behind.toHours(),
            slowest.layer()));
  }

  private static Map<String, String> properties(SparkSession spark, String path) {
    Map<String, String> properties = new HashMap<>();
    for (Row row :
        spark.sql("SHOW TBLPROPERTIES " + DeltaTables.sqlIdentifier(path)).collectAsList()) {
      properties.put(row.getString(0), row.getString(1));
    }
    return properties;
  }

  /** A Delta interval property's value ({@code interval 30 days}), or {@code absent}. */
  static Duration interval(String value, Duration absent) {
    if (value == null) {
      return absent;
    }
    CalendarInterval interval = IntervalUtils.stringToInterval(UTF8String.fromString(value));
    // Delta counts a month as 30 days.
    return Duration.ofNanos(
        ((interval.months * 30L + interval.days) * MICROS_PER_DAY + interval.microseconds) * 1_000);
  }

  private static long ceilDays(Duration duration) {
    return duration.plusDays(1).minusNanos(1).toDays();
  }

  private static String describe(Duration retention) {
    return retention.toHours() % 24 == 0
        ? retention.toDays() + " days"
        : retention.toHours() + " hours";
  }
}
