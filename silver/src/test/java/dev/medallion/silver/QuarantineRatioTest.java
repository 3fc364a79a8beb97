package dev.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.medallion.common.error.MedallionException;
import org.junit.jupiter.api.Test;

class QuarantineRatioTest {
  @Test
  void aRunWithinTheRatioIsQuiet() {
    assertThat(new QuarantineRatio(0.05, false).check(1_000, 50, 0)).isEmpty();
    assertThat(new QuarantineRatio(0.05, false).check(0, 0, 0)).isEmpty();
  }

  @Test
  void tombstonesAreLeftOut() {
    assertThat(new QuarantineRatio(0.05, true).check(1_000, 520, 500)).isEmpty();
  }

  @Test
  void aboveTheRatioARunWarnsInItsSummary() {
    assertThat(new QuarantineRatio(0.05, false).check(1_000, 60, 0))
        .hasValueSatisfying(
            line ->
                assertThat(line)
                    .startsWith(
                        "quarantined 6.0% of the run's records (60 of 1000, tombstones aside)")
                    .contains("silver.quarantine.max.ratio=0.05"));
  }

  @Test
  void aboveTheRatioARunFailsWhenAskedTo() {
    assertThatThrownBy(() -> new QuarantineRatio(0.01, true).check(100, 100, 0))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith("silver quarantined 100.0% of the run's records")
        .hasMessageEndingWith("(silver.quarantine.ratio.action=fail; the run's commits stand)");
  }
}
