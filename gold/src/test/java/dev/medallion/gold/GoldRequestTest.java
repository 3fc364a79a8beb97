package dev.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.medallion.common.error.MedallionException;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoldRequestTest {
  @Test
  void backfillOfOneTableParses() {
    GoldRequest request =
        GoldRequest.parse(GoldTables.bundled(), "daily_funnel", false, "2026-01-01", "2026-01-08");

    assertThat(request.table()).contains(GoldTables.bundled("daily_funnel"));
    assertThat(request.from()).contains(LocalDate.of(2026, 1, 1));
    assertThat(request.to()).contains(LocalDate.of(2026, 1, 8));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        "weekly|true|-|-|Unknown gold table 'weekly'; gold tables: daily_category_sales,",
        "-|false|2026-01-01|-|A gold backfill needs both --from and --to",
        "-|false|2026-01-08|2026-01-01|Cannot backfill from 2026-01-08 to 2026-01-01: --from must"
            + " be before --to",
        "-|false|yesterday|2026-01-01|Invalid value 'yesterday' for --from: expected a date such as"
            + " 2026-01-31",
        "-|true|2026-01-01|2026-01-02|Use either --full-refresh or --from/--to, not both",
        "hourly_revenue|false|-|-|--table needs --full-refresh or --from/--to"
      })
  void badRequestsFailWithOneLine(
      String table, boolean fullRefresh, String from, String to, String message) {
    assertThatThrownBy(() -> GoldRequest.parse(GoldTables.bundled(), table, fullRefresh, from, to))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith(message);
  }
}
