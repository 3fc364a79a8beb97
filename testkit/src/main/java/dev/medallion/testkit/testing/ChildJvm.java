package dev.medallion.testkit.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A job in a child JVM with this JVM's flags and classpath: one a test kills with SIGKILL mid-run,
 * to prove a rerun recovers, or one whose exit code and output a test checks.
 */
public final class ChildJvm {
  /**
   * A child runs seconds over a small lakehouse and takes {@code bin/medallion}'s JIT and collector
   * for short runs: the quick compiler only (C2's threads would take the second core from the job)
   * with Spark's usual code cache, and the parallel collector. bin/medallion keeps C2 for silver's
   * large batches; a child's silver batches are hundreds of rows, so it gets C1 too.
   */
  private static final List<String> SHORT_RUN_FLAGS =
      List.of("-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=240m", "-XX:+UseParallelGC");

  private ChildJvm() {}

  /** What a child printed (standard output and error, interleaved) and how it ended. */
  public record Result(int exitCode, String output) {}

  /**
   * Runs {@code main} with {@code args}, waits until {@code ready} holds, and kills the child there
   * with SIGKILL (no shutdown hooks, no clean stop). Fails if the child ends first or the wait
   * exceeds {@code timeout}.
   */
  public static void killWhen(
      Class<?> main, List<String> args, BooleanSupplier ready, Duration timeout)
      throws IOException, InterruptedException {
    killWhen(main, args, Map.of(), ready, timeout);
  }

  /** {@link #killWhen(Class, List, BooleanSupplier, Duration)} with extra {@code environment}. */
  public static void killWhen(
      Class<?> main,
      List<String> args,
      Map<String, String> environment,
      BooleanSupplier ready,
      Duration timeout)
      throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(command(main, args))
            .redirectErrorStream(true)
            .redirectOutput(new File("target/" + main.getSimpleName() + "-child.log"));
    builder.environment().putAll(environment);
    Process child = builder.start();
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!ready.getAsBoolean() && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(child.isAlive()).as("the child run is still going when it is killed").isTrue();
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
  }

  /**
   * Starts {@code main} with {@code args} and extra {@code environment} and returns once its output
   * has a line containing {@code ready}; closing the handle kills it with SIGKILL. Fails if the
   * child ends first or the wait exceeds {@code timeout}.
   */
  public static Running startUntil(
      Class<?> main,
      List<String> args,
      Map<String, String> environment,
      String ready,
      Duration timeout)
      throws IOException, InterruptedException {
    File output = File.createTempFile("child-", ".log", new File("target"));
    ProcessBuilder builder =
        new ProcessBuilder(command(main, args)).redirectErrorStream(true).redirectOutput(output);
    builder.environment().putAll(environment);
    Running running = new Running(builder.start(), output.toPath());
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!running.output().contains(ready)
        && running.process.isAlive()
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    if (!running.output().contains(ready)) {
      running.close();
      throw new AssertionError(
          "The child did not print '" + ready + "' within " + timeout + ":\n" + running.output());
    }
    return running;
  }

  /** A child started by {@link #startUntil}: killed with SIGKILL when closed. */
  public static final class Running implements AutoCloseable {
    private final Process process;
    private final Path output;

    private Running(Process process, Path output) {
      this.process = process;
      this.output = output;
    }

    /** What it printed so far. */
    public String output() {
      try {
        return Files.readString(output, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + output, e);
      }
    }

    @Override
    public void close() throws InterruptedException {
      process.destroyForcibly();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the child ends").isTrue();
    }
  }

  /** Runs {@code main} with {@code args} and extra {@code environment} to its end. */
  public static Result run(
      Class<?> main, List<String> args, Map<String, String> environment, Duration timeout)
      throws IOException, InterruptedException {
    File output = File.createTempFile("child-", ".log", new File("target"));
    ProcessBuilder builder =
        new ProcessBuilder(command(main, args)).redirectErrorStream(true).redirectOutput(output);
    builder.environment().putAll(environment);
    Process child = builder.start();
    try {
      assertThat(child.waitFor(timeout.toSeconds(), TimeUnit.SECONDS))
          .as("the child ends within %s", timeout)
          .isTrue();
      return new Result(
          child.exitValue(), Files.readString(output.toPath(), StandardCharsets.UTF_8));
    } finally {
      child.destroyForcibly();
    }
  }

  private static List<String> command(Class<?> main, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(SHORT_RUN_FLAGS);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(args);
    return command;
  }

  /** How many commits the Delta log directory {@code deltaLog} holds (0 before it exists). */
  public static long commits(Path deltaLog) {
    if (!Files.isDirectory(deltaLog)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(deltaLog)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".json")).count();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + deltaLog, e);
    }
  }
}
