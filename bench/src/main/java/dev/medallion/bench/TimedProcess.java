package dev.medallion.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs a command as a child process under GNU time: wall seconds, peak RSS, its output. The peak
 * RSS is the larger of GNU time's (the largest process it waited for) and the largest sum over the
 * process tree sampled twice a second, which also sees a server a child starts and never waits for
 * (the peer's Spark Connect server).
 */
final class TimedProcess {
  static final long TIMEOUT_MINUTES = 60;
  static final long SAMPLE_MILLIS = 500;

  record Result(double wallSeconds, long peakRssKb, List<String> output) {
    /** The last output line starting with {@code prefix}, e.g. a layer's summary line. */
    String line(String prefix) {
      for (int i = output.size() - 1; i >= 0; i--) {
        if (output.get(i).startsWith(prefix)) {
          return output.get(i);
        }
      }
      return "";
    }
  }

  private TimedProcess() {}

  static Result run(List<String> command, Path workDir) throws IOException, InterruptedException {
    Path times = Files.createTempFile(workDir, "time-", ".txt");
    Path output = Files.createTempFile(workDir, "out-", ".log");
    List<String> timed =
        new ArrayList<>(List.of("/usr/bin/time", "-f", "%e %M", "-o", times.toString()));
    timed.addAll(command);
    Process process =
        new ProcessBuilder(timed).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(TIMEOUT_MINUTES);
    long treeRssKb = 0;
    while (!process.waitFor(SAMPLE_MILLIS, TimeUnit.MILLISECONDS)) {
      if (System.nanoTime() > deadline) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw failed(
            command,
            "timed out after " + TIMEOUT_MINUTES + " min",
            output,
            Files.readAllLines(output, StandardCharsets.UTF_8));
      }
      treeRssKb = Math.max(treeRssKb, treeRssKb(process.toHandle()));
    }
    List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw failed(command, "exit " + process.exitValue(), output, lines);
    }
    String[] measured = Files.readString(times).trim().split("\\s+");
    Result result =
        new Result(
            Double.parseDouble(measured[measured.length - 2]),
            Math.max(treeRssKb, Long.parseLong(measured[measured.length - 1])),
            lines);
    System.err.println(progress(command, result));
    return result;
  }

  /**
   * One line on the console per timed run, as it ends: the harness writes its report only at the
   * end and deletes its work directory, so a run that fails or is stopped hours in keeps its
   * numbers only here. The last output line names the step (a layer's summary line, for medallion).
   */
  private static String progress(List<String> command, Result result) {
    // The program and its first arguments, without options, settings, class paths or addresses.
    String program =
        command.stream()
            .filter(word -> !word.startsWith("-") && !word.contains("=") && !word.contains(":"))
            .limit(4)
            .map(word -> Path.of(word).getFileName().toString())
            .collect(Collectors.joining(" "));
    String last =
        result.output().stream().filter(line -> !line.isBlank()).reduce((a, b) -> b).orElse("");
    return String.format(
        Locale.ROOT,
        "bench %s, %s, %.1f s wall, %,d MB peak RSS: %s",
        LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")),
        program,
        result.wallSeconds(),
        result.peakRssKb() / 1024,
        last.strip());
  }

  /**
   * Why a step failed, readable after the harness deletes its work directory: the first error line
   * (a stack trace's tail hides its cause), the last lines, and the whole output kept outside it.
   */
  private static IllegalStateException failed(
      List<String> command, String how, Path output, List<String> lines) throws IOException {
    Path kept = Files.createTempFile("medallion-bench-failed-", ".log");
    Files.copy(output, kept, StandardCopyOption.REPLACE_EXISTING);
    String firstError =
        lines.stream()
            .filter(line -> line.contains("Error") || line.contains("Exception"))
            .findFirst()
            .orElse("(none)");
    return new IllegalStateException(
        "Failed ("
            + how
            + "): "
            + command
            + "\nfirst error: "
            + firstError.strip()
            + "\nwhole output: "
            + kept
            + "\n"
            + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
  }

  /**
   * The resident memory of a process and all its descendants, in KB. A child running its parent's
   * program is a fork that has not run its own yet (Hadoop forks the JVM to run {@code chmod} or
   * {@code ls}): it shows the parent's whole RSS, which it shares, so it is left out.
   */
  private static long treeRssKb(ProcessHandle root) {
    return Stream.concat(Stream.of(root), root.descendants())
        .filter(process -> !isFork(process))
        .mapToLong(process -> rssKb(process.pid()))
        .sum();
  }

  private static boolean isFork(ProcessHandle process) {
    Optional<String> command = process.info().command();
    return command.isPresent()
        && process.parent().flatMap(parent -> parent.info().command()).equals(command);
  }

  private static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // The process ended between the listing and the read.
    }
    return 0;
  }
}
