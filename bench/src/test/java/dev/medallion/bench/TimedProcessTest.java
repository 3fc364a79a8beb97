package dev.medallion.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimedProcessTest {
  /**
   * A failed step is diagnosable after the harness has deleted its work directory: the error names
   * the first error line, however much output follows it, and a copy of the whole output kept
   * outside the work directory.
   */
  @Test
  void aFailedCommandKeepsItsOutputAndNamesItsFirstError(@TempDir Path work) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/time")), "GNU time is not installed");
    String script =
        "echo starting; echo 'java.lang.OutOfMemoryError: unable to create native thread';"
            + " for i in $(seq 1 100); do echo \"  at frame$i\"; done; exit 52";

    IllegalStateException failed =
        catchThrowableOfType(
            IllegalStateException.class, () -> TimedProcess.run(List.of("sh", "-c", script), work));

    assertThat(failed.getMessage())
        .contains("exit 52", "first error: java.lang.OutOfMemoryError: unable to create native")
        .contains("at frame100");
    Path kept = Path.of(failed.getMessage().replaceAll("(?s).*whole output: (\\S+).*", "$1"));
    try {
      assertThat(kept.startsWith(work)).as("kept inside the work directory").isFalse();
      assertThat(kept).isRegularFile();
      assertThat(Files.readAllLines(kept)).hasSize(102).contains("  at frame1");
    } finally {
      Files.deleteIfExists(kept);
    }
  }
}
