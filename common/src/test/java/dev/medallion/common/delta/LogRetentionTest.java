package dev.medallion.common.delta;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LogRetentionTest {
  @Test
  void readsDeltaIntervalsTheWayDeltaDoes() {
    assertThat(LogRetention.interval("interval 30 days", Duration.ZERO))
        .isEqualTo(Duration.ofDays(30));
    assertThat(LogRetention.interval("interval 36 hours", Duration.ZERO))
        .isEqualTo(Duration.ofHours(36));
    // A month is 30 days to Delta.
    assertThat(LogRetention.interval("interval 1 month 2 days", Duration.ZERO))
        .isEqualTo(Duration.ofDays(32));
    assertThat(LogRetention.interval(null, Duration.ofDays(7))).isEqualTo(Duration.ofDays(7));
  }
}
