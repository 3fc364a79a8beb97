package dev.medallion.sample.events;

import java.time.Instant;

/**
 * What to generate. The same spec always gives the same records. Event {@code i} of a seed is the
 * same whatever the batch, so a later batch ({@code firstIndex > 0}) can resend events of an
 * earlier one as duplicates, as long as both batches share the seed, start, span and late rate (as
 * {@link #next} does).
 *
 * @param firstIndex index of the first new event (0 for the first batch)
 * @param events number of new events, before duplicates and invalid records are added
 * @param start timestamps of on-time events fall in [start, start + spanHours)
 * @param duplicateRate share of extra records that resend an earlier event (of this or an earlier
 *     batch)
 * @param lateRate share of new events whose timestamp lies 1-3 days before {@code start}
 * @param invalidRate share of extra records that are invalid, spread over every invalid kind
 * @param shape how events spread over time, users and sessions ({@link TimeShape#UNIFORM} unless
 *     given)
 */
public record GeneratorSpec(
    long seed,
    long firstIndex,
    int events,
    Instant start,
    int spanHours,
    double duplicateRate,
    double lateRate,
    double invalidRate,
    TimeShape shape) {

  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  public GeneratorSpec {
    if (events < 0 || firstIndex < 0) {
      throw new IllegalArgumentException(
          "Cannot generate a negative count: " + events + "@" + firstIndex);
    }
    if (spanHours <= 0) {
      throw new IllegalArgumentException("Cannot spread events over " + spanHours + " hours");
    }
    if (shape == null) {
      throw new IllegalArgumentException("Cannot generate events without a time shape");
    }
    for (double rate : new double[] {duplicateRate, lateRate, invalidRate}) {
      if (rate < 0 || rate > 1) {
        throw new IllegalArgumentException("Cannot use a rate outside [0, 1]: " + rate);
      }
    }
  }

  /** A spec of the {@link TimeShape#UNIFORM} shape. */
  public GeneratorSpec(
      long seed,
      long firstIndex,
      int events,
      Instant start,
      int spanHours,
      double duplicateRate,
      double lateRate,
      double invalidRate) {
    this(
        seed,
        firstIndex,
        events,
        start,
        spanHours,
        duplicateRate,
        lateRate,
        invalidRate,
        TimeShape.UNIFORM);
  }

  /** Only valid, unique, on-time events over a day. */
  public static GeneratorSpec clean(long seed, int events) {
    return new GeneratorSpec(seed, 0, events, DEFAULT_START, 24, 0, 0, 0);
  }

  /** The demo's and benchmarks' mix: 5% duplicates, 2% late, 1% invalid. */
  public static GeneratorSpec realistic(long seed, int events) {
    return new GeneratorSpec(seed, 0, events, DEFAULT_START, 48, 0.05, 0.02, 0.01);
  }

  /** The next batch after this one, with the same mix. */
  public GeneratorSpec next(int moreEvents) {
    return new GeneratorSpec(
        seed,
        firstIndex + events,
        moreEvents,
        start,
        spanHours,
        duplicateRate,
        lateRate,
        invalidRate,
        shape);
  }
}
