package dev.medallion.common.delta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * A Delta table's commits as its history reports them (operation, rows written), read from the
 * commit files on the driver. A history query is a Spark job, which in a fresh JVM costs a second
 * or two; a run asks the log such questions before its first row.
 */
final class CommitLog {
  /** A commit: its version, its operation ({@code WRITE}, {@code MERGE}, ...), rows it wrote. */
  record Commit(long version, String operation, long outputRows) {}

  private static final Pattern COMMIT_FILE = Pattern.compile("\\d{20}\\.json");
  private static final String COMMIT_INFO = "{\"commitInfo\"";
  private static final ObjectMapper JSON = new ObjectMapper();

  private CommitLog() {}

  /**
   * The commits from version {@code from} to {@code to} (both inclusive) that the log holds, oldest
   * first, each read when the stream reaches it (a caller that stops early opens no more files). A
   * commit without a commit info (Delta writes one unless told not to) has an empty operation and
   * no rows; one that log cleanup deletes after the listing is left out, as history leaves it out.
   */
  static Stream<Commit> read(SparkSession spark, String table, long from, long to) {
    Path log = new Path(table, "_delta_log");
    try {
      FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(log)) {
        return Stream.empty();
      }
      List<Long> versions = new ArrayList<>();
      for (FileStatus file : fs.listStatus(log, CommitLog::isCommitFile)) {
        long version = Long.parseLong(file.getPath().getName().substring(0, 20));
        if (version >= from && version <= to) {
          versions.add(version);
        }
      }
      Collections.sort(versions);
      return versions.stream()
          .map(version -> commit(fs, new Path(log, String.format("%020d.json", version)), version))
          .flatMap(Optional::stream);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the Delta log of " + table, e);
    }
  }

  /** Whether {@code file} is a commit of the log (not a checkpoint, checksum or other file). */
  static boolean isCommitFile(Path file) {
    return COMMIT_FILE.matcher(file.getName()).matches();
  }

  private static Optional<Commit> commit(FileSystem fs, Path file, long version) {
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith(COMMIT_INFO)) {
          JsonNode info = JSON.readTree(line).path("commitInfo");
          return Optional.of(
              new Commit(
                  version,
                  info.path("operation").asText(""),
                  info.path("operationMetrics").path("numOutputRows").asLong(0)));
        }
      }
      return Optional.of(new Commit(version, "", 0));
    } catch (FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the Delta commit " + file, e);
    }
  }
}
