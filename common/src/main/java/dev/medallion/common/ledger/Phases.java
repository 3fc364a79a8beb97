package dev.medallion.common.ledger;

import java.util.LinkedHashMap;
import java.util.Map;

/** A stopwatch over a run's phases: each {@link #next} ends the phase before it. */
public final class Phases {
  private final Map<String, Double> seconds = new LinkedHashMap<>();
  private String current;
  private long startedNanos;

  /** Starts timing {@code phase}, ending the one before. */
  public Phases next(String phase) {
    stop();
    current = phase;
    startedNanos = System.nanoTime();
    return this;
  }

  /** Every phase with its seconds, the running one ended now. */
  public Map<String, Double> seconds() {
    stop();
    return new LinkedHashMap<>(seconds);
  }

  private void stop() {
    if (current != null) {
      seconds.merge(current, (System.nanoTime() - startedNanos) / 1e9, Double::sum);
      current = null;
    }
  }
}
