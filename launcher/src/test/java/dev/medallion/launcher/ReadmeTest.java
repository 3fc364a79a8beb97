package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.common.config.Setting;
import dev.medallion.common.config.Settings;
import dev.medallion.common.ledger.LedgerColumn;
import dev.medallion.silver.ValidationRules;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

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

  private static String row(Setting<?> setting) {
    String fallback =
        setting.defaultValue().isEmpty() ? "(none)" : "`" + setting.defaultValue() + "`";
    return "| `" + setting.key() + "` | " + fallback + " | " + setting.doc() + " |";
  }

  private static String readme() throws IOException {
    return Files.readString(README, StandardCharsets.UTF_8);
  }
}
