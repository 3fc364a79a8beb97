package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The cluster job jar is the product only: what spark-submit ships to every executor carries no
 * test class and no test framework.
 */
class ClusterJarIT {
  @Test
  void theClusterJarHoldsNoTestCode() throws IOException {
    Path jar = Path.of(System.getProperty("medallion.cluster.jar"));
    Assumptions.assumeTrue(
        Files.exists(jar), "no cluster jar at " + jar + ": the build skipped it (skipClusterJar)");
    List<String> entries;
    try (JarFile file = new JarFile(jar.toFile())) {
      entries = file.stream().map(JarEntry::getName).toList();
    }
    assertThat(entries)
        .contains(
            "dev/medallion/launcher/Main.class",
            "dev/medallion/sample/events/EventGenerator.class");
    assertThat(entries)
        .noneMatch(
            entry ->
                entry.startsWith("dev/medallion/testkit/")
                    || entry.startsWith("org/junit/")
                    || entry.startsWith("org/assertj/")
                    || entry.startsWith("org/opentest4j/")
                    || entry.matches("dev/medallion/.*(Test|IT)(\\$.*)?\\.class"));
  }
}
