package dev.medallion.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command as a child process under GNU time: wall seconds, peak RSS, its output. */
final class TimedProcess {
  static final long TIMEOUT_MINUTES = 60;

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
    if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("Timed out after " + TIMEOUT_MINUTES + " min: " + command);
    }
    List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "Failed (exit "
              + process.exitValue()
              + "): "
              + command
              + "\n"
              + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
    }
    String[] measured = Files.readString(times).trim().split("\\s+");
    return new Result(
        Double.parseDouble(measured[measured.length - 2]),
        Long.parseLong(measured[measured.length - 1]),
        lines);
  }
}
