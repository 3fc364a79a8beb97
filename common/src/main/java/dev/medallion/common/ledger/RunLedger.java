package dev.medallion.common.ledger;

import static dev.medallion.common.ledger.LedgerColumn.COMMAND;
import static dev.medallion.common.ledger.LedgerColumn.FINISHED_AT;
import static dev.medallion.common.ledger.LedgerColumn.LAYER;
import static dev.medallion.common.ledger.LedgerColumn.RUN_ID;
import static dev.medallion.common.ledger.LedgerColumn.SOURCE_VERSIONS;
import static dev.medallion.common.ledger.LedgerColumn.STARTED_AT;
import static dev.medallion.common.ledger.LedgerColumn.STATUS;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.table.TableLocations;
import io.delta.exceptions.DeltaConcurrentModificationException;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The run ledger, {@code <root>/_ops/runs}: one row per run of every layer and command that writes,
 * so that "did the last runs succeed, what did they read and write" is a query, not a log search. A
 * run leaves a marker {@code <root>/_ops/running/<layer>/<run id>} while it runs, appends its row
 * ({@code SUCCEEDED} with its facts, or {@code FAILED} with its error line) when it ends, then
 * removes the marker. A run killed before that leaves its marker, and the next run of its layer
 * (holding the layer's lock, so the killed run is surely gone) appends a {@code KILLED} row for it,
 * unless the run's own row made it in before the kill: no run is recorded twice. Appends never
 * conflict, so layers running at once share the table.
 */
public final class RunLedger {
  /** The ledger's name under {@code <root>/_ops}. */
  public static final String NAME = "runs";

  /** A run's status. */
  public enum Status {
    SUCCEEDED,
    FAILED,
    KILLED
  }

  /**
   * The quarantine reason of records a run held back for an anomaly: such a run's shares are not
   * its data's, so it is no baseline for later runs' checks.
   */
  public static final String HELD_BY_ANOMALY = "ANOMALY";

  static final int WRITE_ATTEMPTS = 5;

  /** Where running runs leave their markers, under {@code <root>/_ops}. */
  public static final String MARKERS = "running";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(RunLedger.class);

  public static final StructType SCHEMA = LedgerColumn.schema();

  /**
   * A log checkpoint every 100 runs rather than Delta's 10: writing one is the costliest part of an
   * append (seconds in a short-lived JVM), and the ledger's log is small.
   */
  private static final Map<String, String> PROPERTIES = Map.of("delta.checkpointInterval", "100");

  private RunLedger() {}

  /** One run, begun: end it with {@link #succeeded} or {@link #failed}. */
  public static final class Entry {
    private final SparkSession spark;
    private final String path;
    private final Path marker;
    private final String layer;
    private final String runId;
    private final String command;
    private final Timestamp started;

    private Entry(SparkSession spark, TableLocations tables, String layer, String command) {
      this.spark = spark;
      this.path = tables.ops(NAME);
      this.layer = layer;
      this.runId = UUID.randomUUID().toString();
      this.marker = new Path(markers(tables, layer), runId);
      this.command = command;
      this.started = Timestamp.from(Instant.now());
    }

    public String runId() {
      return runId;
    }

    /** Records the run with its facts. */
    public void succeeded(RunSummary summary) {
      end(row(runId, layer, command, started, Status.SUCCEEDED, null, summary));
    }

    /** Records the run with its error line (secrets already masked). */
    public void failed(String error) {
      end(row(runId, layer, command, started, Status.FAILED, error, null));
    }

    private void end(Row row) {
      append(spark, path, row);
      delete(spark, marker);
    }
  }

  /**
   * Records the layer's runs that were killed, then marks this one as running. Call under the
   * layer's lock.
   *
   * @param command what was run, as an operator would type it ({@code silver --full-refresh})
   */
  public static Entry begin(
      SparkSession spark, MedallionConfig config, String layer, String command) {
    TableLocations tables = config.tables();
    Entry entry = new Entry(spark, tables, layer, command);
    createIfAbsent(spark, entry.path);
    Path markers = markers(tables, layer);
    try {
      FileSystem fs = markers.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (fs.exists(markers)) {
        for (FileStatus orphan : fs.listStatus(markers)) {
          recordKilled(spark, entry, fs, orphan.getPath());
        }
      }
      Map<String, Object> marker = new LinkedHashMap<>();
      marker.put(RUN_ID.column(), entry.runId);
      marker.put(COMMAND.column(), command);
      marker.put(STARTED_AT.column(), entry.started.getTime());
      try (FSDataOutputStream out = fs.create(entry.marker, false)) {
        out.write(JSON.writeValueAsBytes(marker));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the run marker under " + markers, e);
    }
    return entry;
  }

  /** The row of a run that left its marker: killed, or its driver lost. */
  private static void recordKilled(SparkSession spark, Entry noticedBy, FileSystem fs, Path marker)
      throws IOException {
    // The marker's name is the run id; its content may be cut short by the kill that orphaned it.
    String runId = marker.getName();
    JsonNode run;
    try (InputStream in = fs.open(marker)) {
      run = JSON.readTree(in);
    } catch (JsonProcessingException e) {
      run = JSON.createObjectNode();
    }
    boolean recorded =
        !spark
            .read()
            .format("delta")
            .load(noticedBy.path)
            .where(
                col(LAYER.column())
                    .equalTo(noticedBy.layer)
                    .and(col(RUN_ID.column()).equalTo(runId)))
            .isEmpty();
    if (recorded) {
      // Killed after its row, before removing its marker.
      delete(spark, marker);
      return;
    }
    append(
        spark,
        noticedBy.path,
        row(
            runId,
            noticedBy.layer,
            run.path(COMMAND.column()).asText("(unknown)"),
            run.has(STARTED_AT.column())
                ? new Timestamp(run.path(STARTED_AT.column()).asLong())
                : null,
            Status.KILLED,
            "ended without recording its end (killed, or its driver was lost); noticed by run "
                + noticedBy.runId,
            null));
    delete(spark, marker);
  }

  private static Path markers(TableLocations tables, String layer) {
    return new Path(tables.ops(MARKERS), layer);
  }

  private static void delete(SparkSession spark, Path marker) {
    try {
      marker.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(marker, false);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete the run marker " + marker, e);
    }
  }

  /**
   * The version of {@code sourceTable} the last successful run of {@code layer} read up to, or
   * empty when no such run is recorded.
   */
  public static OptionalLong lastVersionRead(
      SparkSession spark, TableLocations tables, String layer, String sourceTable) {
    List<Row> last =
        read(spark, tables)
            .map(
                runs ->
                    runs.where(
                            col(LAYER.column())
                                .equalTo(layer)
                                .and(col(STATUS.column()).equalTo(Status.SUCCEEDED.name())))
                        .select(
                            col(FINISHED_AT.column()),
                            explode(col(SOURCE_VERSIONS.column())).as("source"))
                        .where(col("source.table").equalTo(sourceTable))
                        .orderBy(col(FINISHED_AT.column()).desc())
                        .select("source.to_version")
                        .limit(1)
                        .collectAsList())
            .orElse(List.of());
    return last.isEmpty() ? OptionalLong.empty() : OptionalLong.of(last.get(0).getLong(0));
  }

  /** The ledger's rows, or none before any run wrote one. */
  public static Optional<Dataset<Row>> read(SparkSession spark, TableLocations tables) {
    String path = tables.ops(NAME);
    if (DeltaTables.version(spark, path) == DeltaTables.NO_VERSION) {
      return Optional.empty();
    }
    return Optional.of(spark.read().format("delta").load(path));
  }

  /**
   * The successful runs of the layers' jobs (a layer's command starts with its name; maintenance's
   * does not), or none before any run wrote one.
   */
  public static Optional<Dataset<Row>> succeededLayerRuns(
      SparkSession spark, TableLocations tables) {
    return read(spark, tables)
        .map(
            runs ->
                runs.where(
                    col(STATUS.column())
                        .equalTo(Status.SUCCEEDED.name())
                        .and(col(COMMAND.column()).startsWith(col(LAYER.column())))));
  }

  /** What anomaly checks compare a run with: an earlier run judged normal that read records. */
  public record PastRun(long rowsIn, long quarantined, Map<String, Double> nullRates) {
    public PastRun {
      nullRates = Map.copyOf(nullRates);
    }
  }

  /**
   * The last {@code runs} successful runs of {@code command} (as typed, e.g. {@code silver}) that
   * read records and held none back for an anomaly, newest first.
   */
  public static List<PastRun> trailing(
      SparkSession spark, TableLocations tables, String layer, String command, int runs) {
    String path = tables.ops(NAME);
    if (runs == 0 || DeltaTables.version(spark, path) == DeltaTables.NO_VERSION) {
      return List.of();
    }
    return LedgerReader.trailing(
        spark.sparkContext().hadoopConfiguration(), path, layer, command, runs);
  }

  private static void createIfAbsent(SparkSession spark, String path) {
    // Listing the log is cheap; loading the table's snapshot to find it there is not.
    if (DeltaTables.version(spark, path) != DeltaTables.NO_VERSION) {
      return;
    }
    try {
      DeltaTables.createIfAbsent(spark, path, SCHEMA, new String[] {LAYER.column()}, PROPERTIES);
    } catch (RuntimeException e) {
      // Another layer created it at the same moment.
      if (!DeltaTable.isDeltaTable(spark, path)) {
        throw e;
      }
    }
  }

  /** Appends a run's row: a blind append, which no other writer of the ledger conflicts with. */
  private static void append(SparkSession spark, String path, Row row) {
    retrying(
        () ->
            spark
                .createDataFrame(List.of(row), SCHEMA)
                .write()
                .format("delta")
                .mode("append")
                .save(path));
  }

  /**
   * Appends do not conflict; a ledger created by two layers at once, or a compaction beside an
   * append, can: a bounded retry settles that.
   */
  private static void retrying(Runnable write) {
    for (int attempt = 1; ; attempt++) {
      try {
        write.run();
        return;
      } catch (DeltaConcurrentModificationException e) {
        if (attempt == WRITE_ATTEMPTS) {
          throw e;
        }
        LOG.info("run ledger: concurrent write, retrying ({})", e.getClass().getSimpleName());
      }
    }
  }

  private static Row row(
      String runId,
      String layer,
      String command,
      Timestamp started,
      Status status,
      String error,
      RunSummary summary) {
    RunFacts facts = summary == null ? RunFacts.NONE : summary.facts();
    return RowFactory.create(
        runId,
        layer,
        command,
        started,
        status == Status.KILLED ? null : Timestamp.from(Instant.now()),
        status.name(),
        error,
        summary == null ? null : summary.recordsIn(),
        summary == null ? null : summary.recordsOut(),
        CollectionConverters.asScala(facts.quarantined()),
        facts.duplicates(),
        CollectionConverters.asScala(
                facts.kafkaOffsets().stream()
                    .map(
                        range ->
                            RowFactory.create(
                                range.topic(),
                                range.partition(),
                                range.startOffset(),
                                range.endOffset()))
                    .toList())
            .toSeq(),
        CollectionConverters.asScala(
                facts.sourceVersions().stream()
                    .map(
                        range ->
                            RowFactory.create(
                                range.table(), range.fromVersion(), range.toVersion()))
                    .toList())
            .toSeq(),
        CollectionConverters.asScala(facts.versionsWritten()),
        facts.batches(),
        CollectionConverters.asScala(facts.phaseSeconds()),
        CollectionConverters.asScala(facts.warnings()).toSeq(),
        CollectionConverters.asScala(facts.expectations()),
        CollectionConverters.asScala(facts.nullRates()));
  }
}
