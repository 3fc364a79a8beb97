package dev.medallion.common.ledger;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The run ledger's columns, declared once: the ledger's schema, its readers ({@code status}, {@code
 * trace}, {@code report}, the anomaly baseline) and the manifest the Airflow DAGs read all take
 * their names from here.
 */
public enum LedgerColumn {
  RUN_ID("run_id", DataTypes.StringType, "the run's id, also the name of its marker while it runs"),
  LAYER(
      "layer",
      DataTypes.StringType,
      "the layer whose tables the run wrote: `bronze`, `silver` or `gold`"),
  COMMAND("command", DataTypes.StringType, "what was run, as typed, e.g. `silver --full-refresh`"),
  STARTED_AT("started_at", DataTypes.TimestampType, "when the run began"),
  FINISHED_AT("finished_at", DataTypes.TimestampType, "when it ended (none for a killed run)"),
  STATUS("status", DataTypes.StringType, "`SUCCEEDED`, `FAILED` or `KILLED`"),
  ERROR("error", DataTypes.StringType, "a failed or killed run's one error line, secrets masked"),
  ROWS_IN("rows_in", DataTypes.LongType, "records in, as the run's summary line counts them"),
  ROWS_OUT("rows_out", DataTypes.LongType, "records out, as the run's summary line counts them"),
  QUARANTINED(
      "quarantined",
      DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType),
      "a map of reason code to records quarantined"),
  DUPLICATES("duplicates", DataTypes.LongType, "duplicate events dropped"),
  KAFKA_OFFSETS(
      "kafka_offsets",
      DataTypes.createArrayType(
          new StructType()
              .add("topic", DataTypes.StringType)
              .add("partition", DataTypes.IntegerType)
              .add("start_offset", DataTypes.LongType)
              .add("end_offset", DataTypes.LongType)),
      "bronze: per topic and partition, `start_offset` inclusive to `end_offset` exclusive"),
  SOURCE_VERSIONS(
      "source_versions",
      DataTypes.createArrayType(
          new StructType()
              .add("table", DataTypes.StringType)
              .add("from_version", DataTypes.LongType)
              .add("to_version", DataTypes.LongType)),
      "silver and gold: the upstream table's versions read"),
  VERSIONS_WRITTEN(
      "versions_written",
      DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType),
      "each table written, with its version after the run"),
  BATCHES("batches", DataTypes.IntegerType, "micro-batches the run committed"),
  PHASE_SECONDS(
      "phase_seconds",
      DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType),
      "seconds spent in each phase of the run"),
  WARNINGS(
      "warnings", DataTypes.createArrayType(DataTypes.StringType), "what the run warned about"),
  EXPECTATIONS(
      "expectations",
      DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType),
      "rows that broke each expectation, zero for one that held"),
  NULL_RATES(
      "null_rates",
      DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType),
      "silver: per optional field, the share of valid events without it");

  private final String column;
  private final DataType type;
  private final String description;

  LedgerColumn(String column, DataType type, String description) {
    this.column = column;
    this.type = type;
    this.description = description;
  }

  /** The column's name in the ledger table. */
  public String column() {
    return column;
  }

  public String description() {
    return description;
  }

  /**
   * The ledger's schema: every column in declaration order, a run's id and layer never null. The
   * descriptions stay out of it: a ledger written before them would take a metadata change.
   */
  static StructType schema() {
    StructType schema = new StructType();
    for (LedgerColumn c : values()) {
      schema = schema.add(c.column, c.type, c != RUN_ID && c != LAYER);
    }
    return schema;
  }
}
