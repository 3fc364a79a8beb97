package dev.medallion.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimedProcessTest {
  /**
   * A run of two hours says what it measured as it goes: each timed run's line outlives the work
   * directory in the console's log, whether the harness ends, fails later or is stopped.
   */
  @Test
  void eachTimedRunPrintsWhatItMeasured(@TempDir Path work) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/time")), "GNU time is not installed");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream console = System.err;
    System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      TimedProcess.run(
          List.of(
              "env",
              "LC_ALL=C",
              "sh",
              "-c",
              "echo go; echo 'gold: 5 records in, 2 out, 1.5 s'; echo"),
          work);
    } finally {
      System.setErr(console);
    }

    assertThat(printed.toString(StandardCharsets.UTF_8))
        .containsPattern(
            "bench \\d\\d:\\d\\d:\\d\\d, env sh, \\d+\\.\\d s wall, [\\d,]+ MB peak RSS:")
        .contains("gold: 5 records in, 2 out, 1.5 s");
  }

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
