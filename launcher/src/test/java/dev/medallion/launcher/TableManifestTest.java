package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The Airflow DAGs take their tables from a manifest committed beside them, so Python never spells
 * a table name; it must be what {@code bin/medallion tables --json} prints now.
 */
class TableManifestTest {
  private static final Path MANIFEST =
      Path.of("..", "airflow-dags", "dags", "medallion_dags", "tables.json");

  @Test
  void theCommittedManifestIsTheCatalogs() throws IOException {
    assertThat(Files.readString(MANIFEST, StandardCharsets.UTF_8))
        .as("regenerate with: bin/medallion tables --json > %s", MANIFEST.normalize())
        .isEqualTo(TableCatalog.bundled().manifest());
  }
}
