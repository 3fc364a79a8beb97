package dev.medallion.common.ledger;

import static dev.medallion.common.ledger.LedgerColumn.COMMAND;
import static dev.medallion.common.ledger.LedgerColumn.FINISHED_AT;
import static dev.medallion.common.ledger.LedgerColumn.LAYER;
import static dev.medallion.common.ledger.LedgerColumn.NULL_RATES;
import static dev.medallion.common.ledger.LedgerColumn.QUARANTINED;
import static dev.medallion.common.ledger.LedgerColumn.ROWS_IN;
import static dev.medallion.common.ledger.LedgerColumn.STATUS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.expressions.Predicate;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Reads a layer's past runs from the run ledger on the driver, with Delta Kernel's public API: a
 * Spark read of it (the table's state, a scan, a sort) costs seconds of jobs in a fresh JVM, before
 * a run's first row. Only the newest of the ledger's files are read (a run appends one).
 */
final class LedgerReader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMN_MAPPING = "delta.columnMapping.mode";
  private static final List<String> COLUMNS =
      Stream.of(STATUS, COMMAND, ROWS_IN, QUARANTINED, NULL_RATES, FINISHED_AT)
          .map(LedgerColumn::column)
          .toList();

  private LedgerReader() {}

  /** A past run and when it finished (microseconds since the epoch), to order runs by. */
  private record Finished(long finishedAt, RunLedger.PastRun run) {}

  /**
   * The last {@code runs} successful runs of {@code command} in {@code layer} that read records and
   * held none back for an anomaly, newest first; {@code path} is an existing ledger.
   */
  static List<RunLedger.PastRun> trailing(
      Configuration hadoop, String path, String layer, String command, int runs) {
    Engine engine = DefaultEngine.create(hadoop);
    Snapshot snapshot = TableManager.loadSnapshot(path).build(engine);
    String mapping = snapshot.getTableProperties().getOrDefault(COLUMN_MAPPING, "none");
    if (!mapping.equals("none")) {
      // Its files' column names would differ from the table's, which the read below asks for.
      throw new IllegalStateException(
          "Cannot read the run ledger "
              + path
              + ": it has "
              + COLUMN_MAPPING
              + " = "
              + mapping
              + ", which medallion never sets; move it away and the next run starts a new one");
    }
    StructType read = new StructType();
    for (String name : COLUMNS) {
      read = read.add(snapshot.getSchema().get(name));
    }
    Scan scan =
        snapshot
            .getScanBuilder()
            .withReadSchema(read)
            .withFilter(new Predicate("=", new Column(LAYER.column()), Literal.ofString(layer)))
            .build();
    Row scanState = scan.getScanState(engine);
    // Newest files first, by their statistics, and no further once no file left can hold a run
    // newer than those found: a ledger gains a file per run and is read in a few files.
    List<LedgerFile> files = new ArrayList<>();
    try (CloseableIterator<FilteredColumnarBatch> batches = scan.getScanFiles(engine, true)) {
      while (batches.hasNext()) {
        try (CloseableIterator<Row> rows = batches.next().getRows()) {
          rows.forEachRemaining(row -> files.add(new LedgerFile(row, latestFinish(row))));
        }
      }
      files.sort(Comparator.comparingLong(LedgerFile::latestFinish).reversed());
      List<Finished> found = new ArrayList<>();
      for (LedgerFile file : files) {
        if (found.size() >= runs && file.latestFinish() < found.get(runs - 1).finishedAt()) {
          break;
        }
        read(engine, scanState, read, file.scanFile(), command, found);
        found.sort(Comparator.comparingLong(Finished::finishedAt).reversed());
      }
      return found.stream().limit(runs).map(Finished::run).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the run ledger " + path, e);
    }
  }

  /** A data file of the ledger and the latest finish time it may hold (microseconds). */
  private record LedgerFile(Row scanFile, long latestFinish) {}

  /**
   * Adds the file's past runs of {@code command} to {@code found}; {@code columns} are the columns
   * read, named in the file as in the table (no column mapping).
   */
  private static void read(
      Engine engine,
      Row scanState,
      StructType columns,
      Row scanFile,
      String command,
      List<Finished> found)
      throws IOException {
    CloseableIterator<FileReadResult> data =
        engine
            .getParquetHandler()
            .readParquetFiles(only(status(scanFile)), columns, Optional.empty());
    try (CloseableIterator<FilteredColumnarBatch> batches =
        Scan.transformPhysicalData(
            engine, scanState, scanFile, data.map(FileReadResult::getData))) {
      while (batches.hasNext()) {
        try (CloseableIterator<Row> rows = batches.next().getRows()) {
          rows.forEachRemaining(row -> pastRun(row, command).ifPresent(found::add));
        }
      }
    }
  }

  /**
   * The largest {@code finished_at} in the file's statistics, plus a millisecond (statistics keep
   * milliseconds), or the largest value when the file has none: such a file is always read.
   */
  private static long latestFinish(Row scanFile) {
    Row add = add(scanFile);
    int stats = add.getSchema().indexOf("stats");
    if (add.isNullAt(stats)) {
      return Long.MAX_VALUE;
    }
    try {
      JsonNode latest =
          JSON.readTree(add.getString(stats)).path("maxValues").path(FINISHED_AT.column());
      if (!latest.isTextual()) {
        return Long.MAX_VALUE;
      }
      Instant at = OffsetDateTime.parse(latest.asText()).toInstant();
      return ChronoUnit.MICROS.between(Instant.EPOCH, at) + 1_000;
    } catch (IOException | DateTimeParseException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * A scan file's {@code add} action: its fields are the Delta protocol's ({@code path}, {@code
   * size}, {@code modificationTime}, {@code stats}), beside the {@code tableRoot} its path is
   * relative to.
   */
  private static Row add(Row scanFile) {
    return scanFile.getStruct(scanFile.getSchema().indexOf("add"));
  }

  /** The data file a scan file names, with its absolute path. */
  private static FileStatus status(Row scanFile) {
    Row add = add(scanFile);
    StructType fields = add.getSchema();
    Path root = new Path(scanFile.getString(scanFile.getSchema().indexOf("tableRoot")));
    Path file = new Path(root, new Path(URI.create(add.getString(fields.indexOf("path")))));
    return FileStatus.of(
        file.toString(),
        add.getLong(fields.indexOf("size")),
        add.getLong(fields.indexOf("modificationTime")));
  }

  /** An iterator over {@code file} alone. */
  private static CloseableIterator<FileStatus> only(FileStatus file) {
    Iterator<FileStatus> one = List.of(file).iterator();
    return new CloseableIterator<>() {
      @Override
      public boolean hasNext() {
        return one.hasNext();
      }

      @Override
      public FileStatus next() {
        return one.next();
      }

      @Override
      public void close() {}
    };
  }

  /**
   * The row as a past run when it is a successful run of {@code command} that read records and held
   * none back for an anomaly.
   */
  private static Optional<Finished> pastRun(Row row, String command) {
    StructType schema = row.getSchema();
    int rowsIn = schema.indexOf(ROWS_IN.column());
    int finishedAt = schema.indexOf(FINISHED_AT.column());
    if (!command.equals(string(row, schema.indexOf(COMMAND.column())))
        || !RunLedger.Status.SUCCEEDED.name().equals(string(row, schema.indexOf(STATUS.column())))
        || row.isNullAt(rowsIn)
        || row.getLong(rowsIn) <= 0) {
      return Optional.empty();
    }
    long quarantined = 0;
    int at = schema.indexOf(QUARANTINED.column());
    if (!row.isNullAt(at)) {
      MapValue counts = row.getMap(at);
      for (int i = 0; i < counts.getSize(); i++) {
        if (RunLedger.HELD_BY_ANOMALY.equals(counts.getKeys().getString(i))) {
          return Optional.empty();
        }
        quarantined += counts.getValues().isNullAt(i) ? 0 : counts.getValues().getLong(i);
      }
    }
    Map<String, Double> nullRates = new LinkedHashMap<>();
    at = schema.indexOf(NULL_RATES.column());
    if (!row.isNullAt(at)) {
      MapValue rates = row.getMap(at);
      for (int i = 0; i < rates.getSize(); i++) {
        nullRates.put(rates.getKeys().getString(i), rates.getValues().getDouble(i));
      }
    }
    return Optional.of(
        new Finished(
            row.isNullAt(finishedAt) ? Long.MIN_VALUE : row.getLong(finishedAt),
            new RunLedger.PastRun(row.getLong(rowsIn), quarantined, nullRates)));
  }

  private static String string(Row row, int ordinal) {
    return row.isNullAt(ordinal) ? null : row.getString(ordinal);
  }
}
