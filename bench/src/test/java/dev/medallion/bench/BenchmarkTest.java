package dev.medallion.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchmarkTest {
  /**
   * Runs compared with each other read the same records: the one-core runs once read the first
   * runs' records and both increments' (1,272,036 against 1,060,030 at 1M) and their ratio said
   * 1.81x from one core to two.
   */
  @Test
  void runsComparedWithEachOtherMustReadTheSameRecords() {
    TimedProcess.Result first = summary("silver: 1060030 records in, 1000000 out, valid 1050026");
    TimedProcess.Result later = summary("silver: 1272036 records in, 1200000 out, valid 1260082");

    assertThat(Benchmark.recordsIn(List.of(first, first), "silver")).isEqualTo(1_060_030);
    assertThatThrownBy(() -> Benchmark.recordsIn(List.of(first, later), "silver"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("silver's runs of one step read different numbers of records")
        .hasMessageContaining("1060030")
        .hasMessageContaining("1272036");
    assertThatThrownBy(() -> Benchmark.recordsIn(List.of(summary("gold: done")), "gold"))
        .hasMessageContaining("gold's run printed no summary line with its records in");
  }

  private static TimedProcess.Result summary(String line) {
    return new TimedProcess.Result(1.0, 1, List.of("starting", line, "done"));
  }
}
