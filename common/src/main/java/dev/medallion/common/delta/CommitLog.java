package dev.medallion.common.delta;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.CommitInfo;
import org.apache.spark.sql.delta.actions.RemoveFile;
import scala.Option;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A Delta table's commits as its history reports them (operation, rows written, whether files were
 * removed), read through Delta's own log reader on the driver: a history query is a Spark job,
 * which in a fresh JVM costs a second or two, and a run asks the log such questions before its
 * first row.
 */
final class CommitLog {
  /**
   * A commit: its version, its operation ({@code WRITE}, {@code MERGE}, ...), the rows it wrote,
   * and whether it removed a file.
   */
  record Commit(long version, String operation, long outputRows, boolean removesFiles) {}

  private CommitLog() {}

  /**
   * The commits from version {@code from} to {@code to} (both inclusive) that the log holds, oldest
   * first, each read when the stream reaches it (a caller that stops early reads no more of them).
   * A commit without a commit info (Delta writes one unless told not to) has an empty operation and
   * no rows; commits log cleanup deleted are left out, as history leaves them out.
   */
  static Stream<Commit> read(SparkSession spark, String table, long from, long to) {
    if (!hasLog(spark, table)) {
      return Stream.empty();
    }
    DeltaLog log = DeltaLog.forTable(spark, table);
    Iterator<Tuple2<Object, scala.collection.immutable.Seq<Action>>> changes =
        CollectionConverters.asJava(log.getChanges(from, Option.empty(), false));
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(changes, Spliterator.ORDERED), false)
        .map(change -> commit((Long) change._1(), change._2()))
        .takeWhile(commit -> commit.version() <= to);
  }

  /**
   * Whether the table has a log to read: Delta's reader fails on a missing one. A listing, not a
   * snapshot, which reading commits does not need.
   */
  private static boolean hasLog(SparkSession spark, String table) {
    Path log = new Path(table, "_delta_log");
    try {
      return log.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(log);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the Delta log of " + table, e);
    }
  }

  private static Commit commit(long version, scala.collection.immutable.Seq<Action> actions) {
    Optional<CommitInfo> info = Optional.empty();
    boolean removes = false;
    for (Action action : CollectionConverters.asJava(actions)) {
      if (action instanceof CommitInfo commitInfo) {
        info = Optional.of(commitInfo);
      } else if (action instanceof RemoveFile) {
        removes = true;
      }
    }
    String operation = info.map(CommitInfo::operation).orElse("");
    long rows = info.map(CommitLog::outputRows).orElse(0L);
    return new Commit(version, operation, rows, removes);
  }

  /** The rows a commit wrote, from its {@code numOutputRows} metric (0 without one). */
  private static long outputRows(CommitInfo info) {
    Option<String> rows = info.operationMetrics().flatMap(metrics -> metrics.get("numOutputRows"));
    return rows.isDefined() ? Long.parseLong(rows.get()) : 0;
  }
}
