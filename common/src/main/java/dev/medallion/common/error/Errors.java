package dev.medallion.common.error;

import java.util.Collection;
import java.util.Optional;

/**
 * The one place user-facing errors are made, so that each says what is wrong, why, and what to do,
 * in one line.
 */
public final class Errors {
  private Errors() {}

  public static MedallionException usage(String message) {
    return new MedallionException(message, MedallionException.EXIT_USAGE, null);
  }

  public static MedallionException unknownConfigKey(
      String key, String source, Collection<String> known) {
    return usage(
        String.format(
            "Unknown config key '%s' (%s). Known keys: %s; Spark settings go in as spark.*, Kafka"
                + " consumer settings as kafka.consumer.*, expectations as"
                + " expect.<layer>.<table>.<name>",
            key, source, String.join(", ", known)));
  }

  public static MedallionException invalidConfigValue(
      String key, String value, String source, String allowed) {
    return usage(
        String.format(
            "Invalid value '%s' for config key '%s' (%s): expected %s",
            value, key, source, allowed));
  }

  public static MedallionException unreadableConfigFile(String path, Throwable cause) {
    return new MedallionException(
        String.format("Cannot read config file '%s': %s", path, cause.getMessage()),
        MedallionException.EXIT_USAGE,
        cause);
  }

  public static MedallionException jobFailed(String message, Throwable cause) {
    return new MedallionException(message, MedallionException.EXIT_JOB_FAILED, cause);
  }

  /** Health checks that failed: the pipeline ran, but is late or behind. */
  public static MedallionException unhealthy(String message) {
    return new MedallionException(message, MedallionException.EXIT_UNHEALTHY, null);
  }

  /**
   * The failure of a streaming reader that lagged so long that Delta's log cleanup deleted commits
   * of its source it had yet to read (say, written by a tool that does not raise the retention the
   * way medallion's writers do); only a rebuild from the source's current snapshot is exact then.
   */
  public static Optional<MedallionException> sourceLogCleanedUp(
      String message, String layer, String source, Throwable cause) {
    if (!message.contains("DELTA_LOG_FILE_NOT_FOUND")
        && !message.contains("DELTA_MISSING_FILES_UNEXPECTED_VERSION")) {
      return Optional.empty();
    }
    return Optional.of(
        jobFailed(
            String.format(
                "Cannot run %s: commits of %s it had yet to read were deleted by Delta's log"
                    + " cleanup (it lagged longer than the table's delta.logRetentionDuration); run"
                    + " bin/medallion %s --full-refresh to rebuild %s from the %s there is now",
                layer, source, layer, layer, source),
            cause));
  }

  /**
   * An anomaly under {@code anomaly.action=fail}: the layer stops before committing what looks
   * wrong, and reads it again next run, until the data or the setting changes.
   */
  public static MedallionException anomalyFound(String layer, String what, String anomaly) {
    return jobFailed(
        String.format(
            "Stopped before committing %s of %s on an anomaly: %s. Nothing of it was written and"
                + " the next run reads it again; if the change is real, rerun once with --set"
                + " anomaly.action=warn (or quarantine, to hold the records for a replay)",
            what, layer, anomaly),
        null);
  }

  /**
   * Our own error, raised inside a Spark callback (a streaming query's foreachBatch) and wrapped by
   * Spark on the way out, if {@code e} carries one.
   */
  public static Optional<MedallionException> raisedWithin(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof MedallionException ours) {
        return Optional.of(ours);
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return Optional.empty();
  }

  /**
   * Text a client sent, as one printable line for a log: each control character (a newline among
   * them) becomes '?', so the text cannot forge lines of its own.
   */
  public static String oneLine(String clientText) {
    return String.valueOf(clientText).replaceAll("\\p{Cntrl}", "?");
  }

  /** The first line of an exception message: Spark's carry query plans after the first line. */
  public static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
