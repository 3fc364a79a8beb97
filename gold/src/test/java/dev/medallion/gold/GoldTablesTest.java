package dev.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.error.MedallionException;
import dev.medallion.testkit.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GoldTablesTest {
  private static final Path FILE_TABLES = Path.of("src/test/resources/gold-tables");

  @TempDir Path folder;

  @Test
  void aFolderAddsItsTablesAfterTheBundledOnes() {
    GoldTables tables = GoldTables.of(config(FILE_TABLES));

    assertThat(tables.all()).startsWith(GoldTables.bundled().all().toArray(GoldTable[]::new));
    assertThat(tables.all().subList(GoldTables.bundled().all().size(), tables.all().size()))
        .extracting(GoldTable::name)
        .containsExactly("hourly_product_views", "user_purchases");
    assertThat(tables.names())
        .endsWith("user_features_known, hourly_product_views, user_purchases");
  }

  @Test
  void aNameDeclaredTwiceIsRefusedNamingBothFiles() throws IOException {
    Path copy = folder.resolve("daily_funnel.sql");
    Files.copy(Path.of("tables/daily_funnel.sql"), copy);

    assertThatThrownBy(() -> GoldTables.of(config(folder)))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith("Cannot declare gold.daily_funnel twice: in ")
        .hasMessageContaining("gold/tables/daily_funnel.sql and in " + copy)
        .hasMessageEndingWith("; rename or remove one");
  }

  @Test
  void aFileNamedOtherwiseThanItsTableIsRefused() throws IOException {
    Files.copy(FILE_TABLES.resolve("user_purchases.sql"), folder.resolve("purchases.sql"));

    assertThatThrownBy(() -> GoldTables.of(config(folder)))
        .isInstanceOf(MedallionException.class)
        .hasMessage(
            "Cannot read the gold table of "
                + folder.resolve("purchases.sql")
                + ": it declares gold.user_purchases; name its file user_purchases.sql");
  }

  private static MedallionConfig config(Path dir) {
    return TestSpark.config(Map.of("gold.tables.dir", dir.toString()));
  }
}
