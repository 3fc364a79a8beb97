package dev.medallion.common.ledger;

import java.util.Locale;

/**
 * The one line each layer run ends with: what came in, what went out, what range was covered and
 * how long it took. Operators and Airflow logs read it.
 *
 * @param covered the offsets or table versions the run covered, free text
 * @param facts what the run ledger keeps beyond the line
 */
public record RunSummary(
    String layer, long recordsIn, long recordsOut, String covered, double seconds, RunFacts facts) {

  public RunSummary(String layer, long recordsIn, long recordsOut, String covered, double seconds) {
    this(layer, recordsIn, recordsOut, covered, seconds, RunFacts.NONE);
  }

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
