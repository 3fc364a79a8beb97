package dev.medallion.common.delta;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Small Delta helpers every layer uses: create a table once, and read its version. */
public final class DeltaTables {
  /**
   * Operations whose commits leave the table's rows as they were: they rewrite or delete files, or
   * only change properties ({@link LogRetention} does).
   */
  static final List<String> SAME_ROWS =
      List.of("OPTIMIZE", "VACUUM START", "VACUUM END", "SET TBLPROPERTIES", "CHANGE COLUMN");

  /** Operations that append rows: a batch write or a streaming one. */
  private static final List<String> APPENDS = List.of("WRITE", "STREAMING UPDATE");

  /** The version of a table that does not exist yet. */
  public static final long NO_VERSION = -1;

  private static final String DELTA_LOG = "_delta_log";

  /** Beyond this many commits, replaying them costs more than reading the snapshot. */
  static final int MAX_COMMITS_TO_REPLAY = 100;

  private DeltaTables() {}

  /**
   * Creates the table at {@code path} with its schema, partitioning and properties unless a Delta
   * table is already there; an existing table is left as it is.
   */
  public static void createIfAbsent(
      SparkSession spark,
      String path,
      StructType schema,
      String[] partitionColumns,
      Map<String, String> properties) {
    createIfAbsent(spark, path, schema, partitionColumns, properties, null);
  }

  /**
   * {@link #createIfAbsent(SparkSession, String, StructType, String[], Map)} with the table's
   * comment ({@code null} for none); the columns' comments are the schema's.
   */
  public static void createIfAbsent(
      SparkSession spark,
      String path,
      StructType schema,
      String[] partitionColumns,
      Map<String, String> properties,
      String comment) {
    if (DeltaTable.isDeltaTable(spark, path)) {
      return;
    }
    var builder =
        DeltaTable.createIfNotExists(spark)
            .location(path)
            .addColumns(schema)
            .partitionedBy(partitionColumns);
    if (comment != null) {
      builder = builder.comment(comment);
    }
    for (Map.Entry<String, String> property : properties.entrySet()) {
      builder = builder.property(property.getKey(), property.getValue());
    }
    builder.execute();
  }

  /**
   * {@code schema} with these comments on the columns they name: a table created with them needs no
   * {@link #describe} commit per column.
   */
  public static StructType withComments(StructType schema, Map<String, String> comments) {
    return new StructType(
        Arrays.stream(schema.fields())
            .map(f -> comments.containsKey(f.name()) ? f.withComment(comments.get(f.name())) : f)
            .toArray(StructField[]::new));
  }

  /**
   * Gives the table at {@code path} these comments, for BI tools and {@code DESCRIBE TABLE} to
   * show: the table's, and each named column's. Only what differs is written (a metadata-only
   * commit per change), so a table that has them already gets no commit.
   */
  public static void describe(
      SparkSession spark, String path, String tableComment, Map<String, String> columnComments) {
    var snapshot = DeltaLog.forTableWithSnapshot(spark, path)._2();
    String table = sqlIdentifier(path);
    for (StructField field : snapshot.schema().fields()) {
      String wanted = columnComments.get(field.name());
      if (wanted != null && !wanted.equals(field.getComment().getOrElse(() -> null))) {
        spark.sql(
            "ALTER TABLE "
                + table
                + " ALTER COLUMN `"
                + field.name().replace("`", "``")
                + "` COMMENT "
                + sqlString(wanted));
      }
    }
    if (!tableComment.equals(snapshot.metadata().description())) {
      spark.sql(
          "ALTER TABLE "
              + table
              + " SET TBLPROPERTIES ('comment' = "
              + sqlString(tableComment)
              + ")");
    }
  }

  /** A SQL string literal of {@code text}: quotes and backslashes escaped. */
  static String sqlString(String text) {
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** The table at {@code path} as SQL names it: {@code delta.`<path>`}, backquotes escaped. */
  public static String sqlIdentifier(String path) {
    return "delta.`" + path.replace("`", "``") + "`";
  }

  /** Deletes a table or checkpoint directory and everything under it (any Hadoop file system). */
  public static void deleteLocation(SparkSession spark, String location) {
    Path path = new Path(location);
    try {
      path.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(path, true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + location, e);
    }
  }

  /**
   * The latest committed version, or {@link #NO_VERSION} when there is no table. Read from the
   * log's listing on the driver: no Spark job, unlike {@code DeltaTable.history(1)}.
   */
  public static long version(SparkSession spark, String path) {
    long version = DeltaLog.forTableWithSnapshot(spark, path)._2().version();
    return version < 0 ? NO_VERSION : version;
  }

  /**
   * Whether the table at {@code path} has no data file, from its log on the driver (its checksum,
   * which Delta writes with each commit): a first write can skip the work of merging into rows.
   */
  public static boolean holdsNoFiles(SparkSession spark, String path) {
    return DeltaLog.forTableWithSnapshot(spark, path)._2().numOfFiles() == 0;
  }

  /**
   * Rows the table's appends added from version {@code from} to {@code to} (both inclusive), from
   * the commits' own metrics: no data file is read.
   */
  public static long rowsAppended(SparkSession spark, String path, long from, long to) {
    return CommitLog.read(spark, path, from, to)
        .filter(commit -> APPENDS.contains(commit.operation()))
        .mapToLong(CommitLog.Commit::outputRows)
        .sum();
  }

  /**
   * Options that make a new streaming read of the table start at its first commit instead of a
   * snapshot: the same rows, but a restart after the first batch then replays commit files instead
   * of rebuilding and sorting the snapshot's file list (seconds per run on a large table). Only
   * while the log is short and no commit ever removed a file: after OPTIMIZE (and a VACUUM) the
   * files of early commits may be gone, and only the current snapshot is safe to read. Empty
   * otherwise, and Spark ignores the option once the query has a checkpoint.
   */
  public static Map<String, String> readFromFirstCommit(SparkSession spark, String path) {
    long latest = version(spark, path);
    if (latest == NO_VERSION || latest >= MAX_COMMITS_TO_REPLAY) {
      return Map.of();
    }
    List<CommitLog.Commit> commits = CommitLog.read(spark, path, 0, latest).toList();
    boolean whole = !commits.isEmpty() && commits.get(0).version() == 0;
    return whole && commits.stream().noneMatch(CommitLog.Commit::removesFiles)
        ? Map.of("startingVersion", "0")
        : Map.of();
  }

  /**
   * When {@code version} was committed (its log file's modification time, as Delta itself dates
   * commits), or {@link Instant#EPOCH} when the log no longer holds it.
   */
  public static Instant commitTime(SparkSession spark, String path, long version) {
    Path commit = new Path(new Path(path, DELTA_LOG), String.format("%020d.json", version));
    try {
      FileSystem fs = commit.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return fs.exists(commit)
          ? Instant.ofEpochMilli(fs.getFileStatus(commit).getModificationTime())
          : Instant.EPOCH;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the Delta log of " + path, e);
    }
  }

  /**
   * The first version from {@code fromVersion} on whose commit changes the table's data, or empty
   * when every later commit leaves the rows as they were ({@link #SAME_ROWS}): those commits hold
   * no row a streaming reader still has to read. A commit without a commit info counts as a change.
   */
  public static OptionalLong firstDataChange(SparkSession spark, String path, long fromVersion) {
    return CommitLog.read(spark, path, fromVersion, Long.MAX_VALUE)
        .filter(commit -> !SAME_ROWS.contains(commit.operation()))
        .mapToLong(CommitLog.Commit::version)
        .findFirst();
  }

  /** Rows written by commits after {@code sinceVersion}, from Delta's own commit metrics. */
  public static long rowsWrittenSince(SparkSession spark, String path, long sinceVersion) {
    return CommitLog.read(spark, path, sinceVersion + 1, Long.MAX_VALUE)
        .mapToLong(CommitLog.Commit::outputRows)
        .sum();
  }
}
