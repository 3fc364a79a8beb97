package dev.medallion.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.common.config.MedallionConfig;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A job in a child JVM that a test kills with SIGKILL mid-run, to prove a rerun recovers. */
public final class ChildJvm {
  private ChildJvm() {}

  /**
   * Runs {@code main} (whose arguments are key=value settings) with this JVM's flags and
   * classpath, waits until the Delta table under {@code table} has {@code commits} commits, and
   * kills it there. Fails if the child ends first or the wait exceeds {@code timeout}.
   */
  public static void killAfterCommits(Class<?> main, MedallionConfig config, Path table, int commits, Duration timeout)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    config.raw().forEach((key, value) -> command.add(key + "=" + value));
    Process child =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(new File("target/" + main.getSimpleName() + "-child.log"))
            .start();
    try {
      Path log = table.resolve("_delta_log");
      long deadline = System.nanoTime() + timeout.toNanos();
      while (commits(log) < commits && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(child.isAlive()).as("the child run is still going when it is killed").isTrue();
      child.destroyForcibly(); // SIGKILL: no shutdown hooks, no clean stop
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
  }

  private static long commits(Path deltaLog) throws IOException {
    if (!Files.isDirectory(deltaLog)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(deltaLog)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".json")).count();
    }
  }
}
