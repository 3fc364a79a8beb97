package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.common.config.Setting;
import dev.medallion.common.config.Settings;
import dev.medallion.common.ledger.LedgerColumn;
import dev.medallion.gold.GoldTable;
import dev.medallion.gold.GoldTables;
import dev.medallion.gold.TimeGrain;
import dev.medallion.silver.ValidationRules;
import dev.medallion.testkit.testing.TestSpark;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's reference tables are the code's declarations, rendered: a key or a rule added,
 * renamed or changed in the code and not in the README fails here.
 */
class ReadmeTest {
  private static final Path README = Path.of("..", "README.md");

  @Test
  void theConfigurationTableListsEverySettingWithItsDefaultAndDoc() throws IOException {
    String rows =
        Settings.byKey().values().stream().map(ReadmeTest::row).collect(Collectors.joining("\n"));

    assertThat(readme()).contains("| key | default | meaning |\n|---|---|---|\n" + rows + "\n");
  }

  @Test
  void theReasonCodeTableListsEveryValidationRule() throws IOException {
    String rows =
        new ValidationRules(24, BigDecimal.ONE)
            .rules().stream()
                .map(rule -> "| `" + rule.reason() + "` | " + rule.doc() + " |")
                .collect(Collectors.joining("\n"));

    assertThat(readme()).contains("| code | when |\n|---|---|\n" + rows + "\n");
  }

  @Test
  void theRunLedgerTableListsEveryColumn() throws IOException {
    String rows =
        Arrays.stream(LedgerColumn.values())
            .map(column -> "| `" + column.column() + "` | " + column.description() + " |")
            .collect(Collectors.joining("\n"));

    assertThat(readme()).contains("| column | meaning |\n|---|---|\n" + rows + "\n");
  }

  /** The example of "Adding a gold table" is a table medallion reads, as the README says. */
  @Test
  void theAddedGoldTableExampleIsReadFromItsFile(@TempDir Path folder) throws IOException {
    String readme = readme();
    int section = readme.indexOf("#### Adding a gold table");
    int start = readme.indexOf("```sql\n", section) + "```sql\n".length();
    String sql = readme.substring(start, readme.indexOf("```", start));
    Files.writeString(folder.resolve("daily_product_views.sql"), sql);

    GoldTable table =
        GoldTables.of(TestSpark.config(Map.of("gold.tables.dir", folder.toString())))
            .named("daily_product_views")
            .orElseThrow();

    assertThat(table.grain()).isEqualTo(TimeGrain.DAY);
    assertThat(table.keyColumns()).containsExactly("event_date", "product_id");
    assertThat(table.clusterBy()).containsExactly("event_date", "product_id");
  }

  private static String row(Setting<?> setting) {
    String fallback =
        setting.defaultValue().isEmpty() ? "(none)" : "`" + setting.defaultValue() + "`";
    return "| `" + setting.key() + "` | " + fallback + " | " + setting.doc() + " |";
  }

  private static String readme() throws IOException {
    return Files.readString(README, StandardCharsets.UTF_8);
  }
}
