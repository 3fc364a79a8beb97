package dev.medallion.common;

import java.util.Locale;

/**
 * The one line each layer run ends with: what came in, what went out, what range was covered and
 * how long it took. Operators and Airflow logs read it.
 *
 * @param covered the offsets or table versions the run covered, free text
 */
public record RunSummary(
    String layer, long recordsIn, long recordsOut, String covered, double seconds) {

  public String line() {
    return String.format(
        Locale.ROOT,
        "%s: %d records in, %d out, %s, %.1f s",
        layer,
        recordsIn,
        recordsOut,
        covered,
        seconds);
  }
}
