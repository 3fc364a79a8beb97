package dev.medallion.testkit.chaos;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;

/**
 * Deterministic crashes for the kill-point suite and {@code bin/chaos}. A run whose environment
 * sets {@value #KILL_AT} sends itself SIGKILL at one write of a Delta commit or a streaming
 * checkpoint file, named by {@code <before|after>:<n>:<path regex>} (the n-th matching write of the
 * run). {@value #HOLD_AT}, in the same form, stops the writing thread at another write until the
 * kill, so that of two writes done at once the killed run finishes exactly one.
 *
 * <p>The hooks are the log store and checkpoint file manager named in {@link #SPARK_CONF}: the
 * product is unchanged, only how its files are written is watched.
 */
public final class KillPoint {
  public static final String KILL_AT = "CHAOS_KILL_AT";
  public static final String HOLD_AT = "CHAOS_HOLD_AT";

  /** What a run prints just before it kills itself. */
  public static final String MARKER = "medallion chaos: SIGKILL ";

  /** What a run prints when it starts holding a write. */
  public static final String HELD = "medallion chaos: holding ";

  /** Exit code of a process ended by SIGKILL. */
  public static final int KILLED = 128 + 9;

  /** The Spark settings that put the hooks in place for local tables and checkpoints. */
  public static final Map<String, String> SPARK_CONF =
      Map.of(
          "spark.delta.logStore.file.impl",
          KillPointLogStore.class.getName(),
          "spark.sql.streaming.checkpointFileManagerClass",
          KillPointCheckpointFileManager.class.getName());

  private static final long HOLD_LIMIT_MILLIS = TimeUnit.MINUTES.toMillis(10);
  private static final Optional<Trigger> KILL = Trigger.parse(KILL_AT, System.getenv(KILL_AT));
  private static final Optional<Trigger> HOLD = Trigger.parse(HOLD_AT, System.getenv(HOLD_AT));

  private KillPoint() {}

  /** Whether a write happens before or after the file it writes is in place. */
  public enum Phase {
    BEFORE,
    AFTER
  }

  /** Called around every watched write; kills or holds the run if the write is the named one. */
  static void reach(Phase phase, Path path) {
    if (KILL.isPresent() && KILL.get().fires(phase, path)) {
      killSelf(phase, path);
    }
    if (HOLD.isPresent() && HOLD.get().fires(phase, path)) {
      hold(phase, path);
    }
  }

  private static void killSelf(Phase phase, Path path) {
    System.out.println(MARKER + phase + " " + path);
    System.out.flush();
    String pid = String.valueOf(ProcessHandle.current().pid());
    try {
      new ProcessBuilder("kill", "-KILL", pid).inheritIO().start().waitFor();
      Thread.sleep(HOLD_LIMIT_MILLIS);
    } catch (Exception e) {
      // Falls through to halt: the run must not go on past its kill point.
    }
    Runtime.getRuntime().halt(KILLED);
  }

  private static void hold(Phase phase, Path path) {
    System.out.println(HELD + phase + " " + path);
    System.out.flush();
    try {
      Thread.sleep(HOLD_LIMIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Runtime.getRuntime().halt(1);
  }

  /** The n-th write of a phase whose path matches a pattern. */
  private record Trigger(Phase phase, int occurrence, Pattern path, AtomicInteger seen) {
    static Optional<Trigger> parse(String variable, String spec) {
      if (spec == null || spec.isBlank()) {
        return Optional.empty();
      }
      String[] parts = spec.split(":", 3);
      if (parts.length != 3) {
        throw new IllegalArgumentException(
            variable + "=" + spec + " is not <before|after>:<n>:<path regex>");
      }
      return Optional.of(
          new Trigger(
              Phase.valueOf(parts[0].toUpperCase(java.util.Locale.ROOT)),
              Integer.parseInt(parts[1]),
              Pattern.compile(parts[2]),
              new AtomicInteger()));
    }

    boolean fires(Phase at, Path written) {
      return at == phase
          && path.matcher(written.toString()).matches()
          && seen.incrementAndGet() == occurrence;
    }
  }
}
