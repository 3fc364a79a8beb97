package dev.medallion.common.delta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
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
   * The commits from version {@code from} to {@code to} (both inclusive) that the log still holds,
   * oldest first. A commit without a commit info (Delta writes one unless told not to) has an empty
   * operation and no rows.
   */
  static List<Commit> read(SparkSession spark, String table, long from, long to) {
    Path log = new Path(table, "_delta_log");
    try {
      FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(log)) {
        return List.of();
      }
      List<Commit> commits = new ArrayList<>();
      for (FileStatus file : fs.listStatus(log, CommitLog::isCommitFile)) {
        long version = Long.parseLong(file.getPath().getName().substring(0, 20));
        if (version >= from && version <= to) {
          commits.add(commit(fs, file.getPath(), version));
        }
      }
      commits.sort(Comparator.comparingLong(Commit::version));
      return commits;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the Delta log of " + table, e);
    }
  }

  /** Whether {@code file} is a commit of the log (not a checkpoint, checksum or other file). */
  static boolean isCommitFile(Path file) {
    return COMMIT_FILE.matcher(file.getName()).matches();
  }

  private static Commit commit(FileSystem fs, Path file, long version) throws IOException {
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith(COMMIT_INFO)) {
          JsonNode info = JSON.readTree(line).path("commitInfo");
          return new Commit(
              version,
              info.path("operation").asText(""),
              info.path("operationMetrics").path("numOutputRows").asLong(0));
        }
      }
    }
    return new Commit(version, "", 0);
  }
}
