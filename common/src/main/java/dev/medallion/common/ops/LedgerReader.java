package dev.medallion.common.ops;

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
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * Reads a layer's past runs from the run ledger on the driver, with Delta Kernel. The ledger is a
 * few hundred small rows; a Spark read of it (the table's state, a scan, a sort) costs seconds of
 * jobs in a fresh JVM, before a run's first row.
 */
final class LedgerReader {
  private static final String COMMAND = "command";
  private static final String ROWS_IN = "rows_in";
  private static final String QUARANTINED = "quarantined";
  private static final String NULL_RATES = "null_rates";
  private static final String FINISHED_AT = "finished_at";
  private static final List<String> COLUMNS =
      List.of(RunLedger.STATUS, COMMAND, ROWS_IN, QUARANTINED, NULL_RATES, FINISHED_AT);

  private LedgerReader() {}

  /** A past run and when it finished (microseconds since the epoch), to order runs by. */
  private record Finished(long finishedAt, RunLedger.PastRun run) {}

  /**
   * The last {@code runs} successful runs of {@code command} in {@code layer} that read records,
   * newest first; {@code path} is an existing ledger.
   */
  static List<RunLedger.PastRun> trailing(
      Configuration hadoop, String path, String layer, String command, int runs) {
    Engine engine = DefaultEngine.create(hadoop);
    Snapshot snapshot = TableManager.loadSnapshot(path).build(engine);
    StructType read = new StructType();
    for (String name : COLUMNS) {
      read = read.add(snapshot.getSchema().get(name));
    }
    Scan scan =
        snapshot
            .getScanBuilder()
            .withReadSchema(read)
            .withFilter(new Predicate("=", new Column(RunLedger.LAYER), Literal.ofString(layer)))
            .build();
    Row scanState = scan.getScanState(engine);
    StructType physical = ScanStateRow.getPhysicalDataReadSchema(scanState);
    List<Finished> found = new ArrayList<>();
    try (CloseableIterator<FilteredColumnarBatch> files = scan.getScanFiles(engine)) {
      while (files.hasNext()) {
        try (CloseableIterator<Row> scanFiles = files.next().getRows()) {
          while (scanFiles.hasNext()) {
            Row scanFile = scanFiles.next();
            CloseableIterator<FileReadResult> data =
                engine
                    .getParquetHandler()
                    .readParquetFiles(
                        Utils.singletonCloseableIterator(
                            InternalScanFileUtils.getAddFileStatus(scanFile)),
                        physical,
                        Optional.empty());
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
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the run ledger " + path, e);
    }
    return found.stream()
        .sorted(Comparator.comparingLong(Finished::finishedAt).reversed())
        .limit(runs)
        .map(Finished::run)
        .toList();
  }

  /** The row as a past run when it is a successful run of {@code command} that read records. */
  private static Optional<Finished> pastRun(Row row, String command) {
    StructType schema = row.getSchema();
    int rowsIn = schema.indexOf(ROWS_IN);
    int finishedAt = schema.indexOf(FINISHED_AT);
    if (!command.equals(string(row, schema.indexOf(COMMAND)))
        || !RunLedger.Status.SUCCEEDED.name().equals(string(row, schema.indexOf(RunLedger.STATUS)))
        || row.isNullAt(rowsIn)
        || row.getLong(rowsIn) <= 0) {
      return Optional.empty();
    }
    long quarantined = 0;
    int at = schema.indexOf(QUARANTINED);
    if (!row.isNullAt(at)) {
      MapValue counts = row.getMap(at);
      for (int i = 0; i < counts.getSize(); i++) {
        quarantined += counts.getValues().isNullAt(i) ? 0 : counts.getValues().getLong(i);
      }
    }
    Map<String, Double> nullRates = new LinkedHashMap<>();
    at = schema.indexOf(NULL_RATES);
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
