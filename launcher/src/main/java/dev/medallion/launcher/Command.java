package dev.medallion.launcher;

import dev.medallion.bronze.BronzeJob;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.delta.LogRetention;
import dev.medallion.common.error.Errors;
import dev.medallion.common.ledger.RunFacts;
import dev.medallion.common.ledger.RunSummary;
import dev.medallion.common.lock.LayerLock;
import dev.medallion.common.ops.Runs;
import dev.medallion.common.spark.SparkSessions;
import dev.medallion.common.table.TableLocations;
import dev.medallion.common.table.TableSpec;
import dev.medallion.gold.GoldJob;
import dev.medallion.gold.GoldRequest;
import dev.medallion.gold.GoldTables;
import dev.medallion.silver.Quarantine;
import dev.medallion.silver.Reconciliation;
import dev.medallion.silver.SilverJob;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The commands of {@code bin/medallion}, each with its own options. */
enum Command {
  BRONZE("bronze", "ingest new Kafka records into bronze/events (Trigger.AvailableNow)") {
    @Override
    void addOptions(Options options) {
      options.addOption(
          Option.builder()
              .longOpt(RECOVER_CHECKPOINT)
              .desc("start a lost checkpoint again from the Kafka offsets bronze/events holds")
              .get());
    }

    @Override
    void run(CommandLine line, MedallionConfig config, PrintStream out) {
      BronzeJob.validate(config);
      boolean recover = line.hasOption(RECOVER_CHECKPOINT);
      runJob(BronzeJob.LAYER, config, out, (spark, c) -> BronzeJob.run(spark, c, recover));
    }
  },
  SILVER(
      "silver",
      "validate, deduplicate and enrich new bronze rows into silver/events and silver/quarantine") {
    @Override
    void addOptions(Options options) {
      options.addOption(
          Option.builder()
              .longOpt(FULL_REFRESH)
              .desc(
                  "rebuild silver and the quarantine from all of bronze with a fresh checkpoint"
                      + " (Kafka is not read)")
              .get());
    }

    @Override
    void run(CommandLine line, MedallionConfig config, PrintStream out) {
      boolean fullRefresh = line.hasOption(FULL_REFRESH);
      runJob(SilverJob.LAYER, config, out, (spark, c) -> SilverJob.run(spark, c, fullRefresh));
    }
  },
  PIPELINE(
      "pipeline",
      "run bronze, then silver, then gold in one Spark application (one JVM start; each layer keeps"
          + " its own lock, query, checkpoint and ledger row; a failed layer stops the rest)") {
    @Override
    void run(CommandLine line, MedallionConfig config, PrintStream out) {
      BronzeJob.validate(config);
      withSpark("pipeline", config, spark -> runLayers(spark, config, out));
    }
  },
  GOLD("gold", "recompute the gold tables' hours and days that new silver rows touch") {
    @Override
    void addOptions(Options options) {
      options.addOption(
          Option.builder()
              .longOpt(TABLE)
              .hasArg()
              .argName("NAME")
              .desc("one gold table (with --full-refresh or --from/--to): " + GoldTables.names())
              .get());
      options.addOption(
          Option.builder()
              .longOpt(FULL_REFRESH)
              .desc("rebuild from all of silver (every table, or --table)")
              .get());
      options.addOption(
          Option.builder()
              .longOpt(FROM)
              .hasArg()
              .argName("DATE")
              .desc("backfill: first day to recompute, e.g. 2026-01-01")
              .get());
      options.addOption(
          Option.builder()
              .longOpt(TO)
              .hasArg()
              .argName("DATE")
              .desc("backfill: day after the last to recompute (exclusive)")
              .get());
    }

    @Override
    void run(CommandLine line, MedallionConfig config, PrintStream out) {
      GoldRequest request =
          GoldRequest.parse(
              line.getOptionValue(TABLE),
              line.hasOption(FULL_REFRESH),
              line.getOptionValue(FROM),
              line.getOptionValue(TO));
      runJob(GoldJob.LAYER, config, out, (spark, c) -> GoldJob.run(spark, c, request));
    }
  },
  SQL("sql", "run SQL over bronze.*, silver.* and gold.* and print the result") {
    @Override
    void addOptions(Options options) {
      options.addOption(
          Option.builder()
              .longOpt(FORMAT)
              .hasArg()
              .argName("FORMAT")
              .desc("table (default), csv or json")
              .get());
      options.addOption(
          Option.builder()
              .longOpt(LIMIT)
              .hasArg()
              .argName("N")
              .desc("print at most N rows (default 1000)")
              .get());
      options.addOption(
          Option.builder()
              .longOpt(ALLOW_WRITES)
              .desc("run a statement that changes tables, holding every layer's lock while it runs")
              .get());
    }

    @Override
    void run(CommandLine line, MedallionConfig config, PrintStream out) {
      if (line.getArgList().size() != 1) {
        throw Errors.usage(
            "sql takes one query, quoted: bin/medallion sql \"SELECT * FROM gold.hourly_revenue"
                + " LIMIT 10\"");
      }
      ResultPrinter printer;
      try {
        printer =
            ResultPrinter.valueOf(
                line.getOptionValue(FORMAT, "table").toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw Errors.usage(
            "Invalid value '"
                + line.getOptionValue(FORMAT)
                + "' for --format: expected table, csv or json");
      }
      int limit;
      try {
        limit = Integer.parseInt(line.getOptionValue(LIMIT, "1000"));
      } catch (NumberFormatException e) {
        throw Errors.usage(
            "Invalid value '"
                + line.getOptionValue(LIMIT)
                + "' for --limit: expected a positive integer");
      }
      String statement = line.getArgList().get(0);
      if (line.hasOption(ALLOW_WRITES)) {
        // Any table may be named: hold every layer's lock, in one order, so no job races the
        // write.
        List<String> layers = List.of(BronzeJob.LAYER, SilverJob.LAYER, GoldJob.LAYER);
        try (LayerLock bronze = lock(config, BronzeJob.LAYER);
            LayerLock silver = lock(config, SilverJob.LAYER);
            LayerLock gold = lock(config, GoldJob.LAYER)) {
          withSpark(
              "sql",
              config,
              spark -> {
                layers.forEach(layer -> coverReaders(spark, config, layer));
                SqlCatalog.register(
                    spark, new TableLocations(config.lakehouseRoot()), SqlCatalog.SCHEMAS);
                printer.print(spark.sql(statement), limit, out);
              });
        }
        return;
      }
      withSpark(
          "sql",
          ReadOnlySql.sessionConfig(config),
          spark -> printer.print(ReadOnlySql.query(spark, config, statement), limit, out));
    }
  },
  SERVE("serve", "serve SQL to BI tools and notebooks: HiveServer2 (JDBC/ODBC) and Spark Connect") {
    @Override
    void addOptions(Options options) {
      options.addOption(
          Option.builder()
              .longOpt(ALLOW_WRITES)
              .desc(
                  "let clients run statements that change tables (not under the layers' locks:"
                      + " for scratch tables, never while layer jobs run)")
              .get());
    }

    @Override
    void run(CommandLine line, MedallionConfig config, PrintStream out) {
      SqlServer.run(config, line.hasOption(ALLOW_WRITES), out);
    }
  },
  QUARANTINE(
      "quarantine",
      "show quarantined records by reason, or replay them through validation (--replay)") {
    @Override
    void addOptions(Options options) {
      options.addOption(
          Option.builder().longOpt(REPLAY).desc("move records that are now valid to silver").get());
      options.addOption(
          Option.builder()
              .longOpt(REASON)
              .hasArg()
              .argName("CODE")
              .desc("only records with this reason code, e.g. WRONG_TYPE")
              .get());
    }

    @Override
    void run(CommandLine line, MedallionConfig config, PrintStream out) {
      boolean replay = line.hasOption(REPLAY);
      // A replay writes silver and the quarantine: it holds silver's lock like a silver run.
      try (LayerLock lock = replay ? lock(config, SilverJob.LAYER) : null) {
        withSpark(
            "quarantine",
            config,
            spark -> {
              if (replay) {
                coverReaders(spark, config, SilverJob.LAYER);
                out.println(
                    Quarantine.replay(
                            spark, config, Optional.ofNullable(line.getOptionValue(REASON)))
                        .line());
              }
              List<Row> counts =
                  Quarantine.countsByReason(spark, new TableLocations(config.lakehouseRoot()));
              out.printf("%-24s %12s%n", "reason", "records");
              counts.forEach(row -> out.printf("%-24s %,12d%n", row.getString(0), row.getLong(1)));
            });
      }
    }
  },
  RECONCILE(
      "reconcile",
      "check that every bronze record silver processed is in silver, a dropped duplicate, or"
          + " quarantined") {
    @Override
    void run(CommandLine line, MedallionConfig config, PrintStream out) {
      withSpark(
          "reconcile",
          config,
          spark -> {
            Reconciliation.Result result = Reconciliation.run(spark, config);
            out.println(result.line());
            if (!result.balanced()) {
              throw Errors.jobFailed(result.line(), null);
            }
          });
    }
  },
  STATUS(
      "status",
      "per table: last successful run, its age, rows and lag behind Kafka or the upstream table;"
          + " exit 3 when a status.max.* threshold is broken") {
    @Override
    void addOptions(Options options) {
      options.addOption(Option.builder().longOpt(JSON).desc("print the status as JSON").get());
    }

    @Override
    void run(CommandLine line, MedallionConfig config, PrintStream out) {
      withSpark(
          "status",
          config,
          spark -> {
            Instant now = Instant.now();
            Status.Report report = Status.measure(spark, config, now);
            out.print(line.hasOption(JSON) ? Status.json(report, now) : Status.text(report, now));
            if (!report.healthy()) {
              throw Errors.unhealthy(
                  "status: "
                      + report.broken().size()
                      + " threshold(s) broken: "
                      + String.join("; ", report.broken()));
            }
          });
    }
  },
  REPORT(
      "report",
      "one self-contained HTML page: recent runs per layer, lag and freshness over time,"
          + " expectations, status and gold's hourly revenue") {
    @Override
    void addOptions(Options options) {
      options.addOption(
          Option.builder()
              .longOpt(OUT)
              .hasArg()
              .argName("FILE")
              .desc("where to write the page (default medallion-report.html)")
              .get());
    }

    @Override
    void run(CommandLine line, MedallionConfig config, PrintStream out) {
      Path file = Path.of(line.getOptionValue(OUT, "medallion-report.html"));
      withSpark(
          "report",
          config,
          spark -> {
            try {
              Files.writeString(
                  file, Report.html(spark, config, Instant.now()), StandardCharsets.UTF_8);
            } catch (IOException e) {
              throw Errors.usage("Cannot write the report to " + file + ": " + e.getMessage());
            }
            out.println("report written to " + file.toAbsolutePath());
          });
    }
  },
  TRACE(
      "trace",
      "for the gold rows matching --where: the silver events, Kafka records and runs behind them") {
    @Override
    void addOptions(Options options) {
      options.addOption(
          Option.builder()
              .longOpt(TABLE)
              .hasArg()
              .argName("NAME")
              .desc("gold table, e.g. gold.hourly_revenue")
              .get());
      options.addOption(
          Option.builder()
              .longOpt(WHERE)
              .hasArg()
              .argName("PREDICATE")
              .desc("SQL predicate on the gold table's columns")
              .get());
    }

    @Override
    void run(CommandLine line, MedallionConfig config, PrintStream out) {
      String table = line.getOptionValue(TABLE);
      String where = line.getOptionValue(WHERE);
      if (table == null || where == null) {
        throw Errors.usage(
            "trace needs --table and --where, e.g. --table gold.hourly_revenue --where"
                + " \"event_type = 'purchase' AND window_start = '2026-01-01 10:00:00'\"");
      }
      withSpark(
          "trace",
          config,
          spark ->
              out.print(
                  Trace.text(
                      Trace.run(spark, new TableLocations(config.lakehouseRoot()), table, where),
                      where)));
    }
  },
  MAINTAIN("maintain", "OPTIMIZE (Z-ordered as each table declares) and VACUUM one table") {
    @Override
    void addOptions(Options options) {
      options.addOption(
          Option.builder()
              .longOpt(TABLE)
              .hasArg()
              .argName("NAME")
              .desc("table to maintain, e.g. silver.events or gold.hourly_revenue")
              .get());
      options.addOption(
          Option.builder()
              .longOpt(RETENTION_HOURS)
              .hasArg()
              .argName("HOURS")
              .desc(
                  "VACUUM retention (default and minimum " + Maintenance.SAFE_RETENTION_HOURS + ")")
              .get());
      options.addOption(
          Option.builder()
              .longOpt(ALLOW_UNSAFE_RETENTION)
              .desc("allow a retention below " + Maintenance.SAFE_RETENTION_HOURS + " hours")
              .get());
    }

    @Override
    void run(CommandLine line, MedallionConfig config, PrintStream out) {
      String table = line.getOptionValue(TABLE);
      if (table == null) {
        throw Errors.usage(
            "maintain needs --table; tables: "
                + String.join(", ", Maintenance.zOrderColumns().keySet()));
      }
      int retention;
      try {
        retention =
            Integer.parseInt(
                line.getOptionValue(
                    RETENTION_HOURS, String.valueOf(Maintenance.SAFE_RETENTION_HOURS)));
      } catch (NumberFormatException e) {
        throw Errors.usage(
            "Invalid value '"
                + line.getOptionValue(RETENTION_HOURS)
                + "' for --retention-hours: expected a number of hours");
      }
      Maintenance.validate(table, retention, line.hasOption(ALLOW_UNSAFE_RETENTION));
      // Maintenance writes to the table, so it holds the lock of the layer that owns it.
      String layer = TableCatalog.named(table).orElseThrow().layer();
      try (LayerLock lock = lock(config, layer)) {
        withSpark(
            "maintain",
            config,
            spark -> {
              coverReaders(spark, config, layer);
              TableLocations locations = new TableLocations(config.lakehouseRoot());
              long started = System.nanoTime();
              out.println(
                  Runs.record(
                      spark,
                      config,
                      layer,
                      "maintain --table " + table + " --retention-hours " + retention,
                      () ->
                          Maintenance.run(
                              spark,
                              locations,
                              table,
                              retention,
                              line.hasOption(ALLOW_UNSAFE_RETENTION)),
                      result ->
                          new RunSummary(
                              layer,
                              0,
                              0,
                              result,
                              (System.nanoTime() - started) / 1e9,
                              new RunFacts(
                                  Map.of(),
                                  0,
                                  List.of(),
                                  List.of(),
                                  Map.of(
                                      table,
                                      DeltaTables.version(
                                          spark, SqlCatalog.tables(locations).get(table))),
                                  0,
                                  Map.of()))));
            });
      }
    }
  },
  TABLES("tables", "list every table: SQL name, location under the root and layout") {
    @Override
    void addOptions(Options options) {
      options.addOption(
          Option.builder()
              .longOpt(JSON)
              .desc(
                  "print the manifest the Airflow DAGs read"
                      + " (airflow-dags/dags/medallion_dags/tables.json)")
              .get());
    }

    @Override
    void run(CommandLine line, MedallionConfig config, PrintStream out) {
      if (line.hasOption(JSON)) {
        out.print(TableCatalog.manifest());
        return;
      }
      out.printf("%-28s %-28s %-16s %s%n", "table", "location", "partitioned by", "z-order");
      for (TableSpec table : TableCatalog.all()) {
        out.printf(
            "%-28s %-28s %-16s %s%n",
            table.sqlName(),
            "<root>/" + table.relativePath(),
            String.join(",", table.partitionBy()),
            String.join(",", table.zOrder()));
      }
    }
  },
  LOCAL_KAFKA(
      "local-kafka",
      "serve a local Kafka broker with generated events until standard input closes") {
    @Override
    void addOptions(Options options) {
      LocalKafka.addOptions(options);
    }

    @Override
    void run(CommandLine line, MedallionConfig config, PrintStream out) {
      LocalKafka.run(line, out, System.in);
    }
  },
  DEMO("demo", "start an embedded Kafka broker, produce generated events and run every layer") {
    @Override
    void addOptions(Options options) {
      Demo.addOptions(options);
    }

    @Override
    void run(CommandLine line, MedallionConfig config, PrintStream out) {
      Demo.run(line, config, out);
    }
  };

  private static final Logger LOG = LoggerFactory.getLogger(Command.class);
  static final String FULL_REFRESH = "full-refresh";
  static final String REPLAY = "replay";
  static final String TABLE = "table";
  static final String FROM = "from";
  static final String TO = "to";
  static final String FORMAT = "format";
  static final String RETENTION_HOURS = "retention-hours";
  static final String ALLOW_UNSAFE_RETENTION = "allow-unsafe-retention";
  static final String LIMIT = "limit";
  static final String REASON = "reason";
  static final String ALLOW_WRITES = "allow-writes";
  static final String RECOVER_CHECKPOINT = "recover-checkpoint";
  static final String JSON = "json";
  static final String WHERE = "where";
  static final String OUT = "out";

  private final String commandName;
  private final String description;

  Command(String commandName, String description) {
    this.commandName = commandName;
    this.description = description;
  }

  String commandName() {
    return commandName;
  }

  String description() {
    return description;
  }

  void addOptions(Options options) {}

  abstract void run(CommandLine line, MedallionConfig config, PrintStream out);

  static Optional<Command> named(String name) {
    return Arrays.stream(values()).filter(c -> c.commandName.equals(name)).findFirst();
  }

  /** A layer job: one Spark application, its summary line printed at the end. */
  interface Job {
    RunSummary run(SparkSession spark, MedallionConfig config);
  }

  /**
   * A layer run: in its own session, the layer's lock first (one writer per table), then the job.
   */
  static void runJob(String layer, MedallionConfig config, PrintStream out, Job job) {
    // The lock before Spark starts: a run refused for another one in progress costs no Spark.
    try (LayerLock lock = lock(config, layer)) {
      withSpark(
          layer,
          config,
          spark -> {
            coverReaders(spark, config, layer);
            runAndPrint(spark, config, out, job);
          });
    }
  }

  /**
   * The three layers' incremental runs one after another in one session: what the scheduler's
   * bronze, silver and gold tasks do, without starting a JVM and Spark for each and with the code
   * the first layer compiled already warm for the next. Each is the same run as its own command
   * (lock, query, checkpoint, ledger row), so any one can still be rerun alone.
   */
  static void runLayers(SparkSession spark, MedallionConfig config, PrintStream out) {
    runLocked(spark, BronzeJob.LAYER, config, out, (s, c) -> BronzeJob.run(s, c, false));
    runLocked(spark, SilverJob.LAYER, config, out, (s, c) -> SilverJob.run(s, c, false));
    runLocked(
        spark, GoldJob.LAYER, config, out, (s, c) -> GoldJob.run(s, c, GoldRequest.incremental()));
  }

  private static void runLocked(
      SparkSession spark, String layer, MedallionConfig config, PrintStream out, Job job) {
    try (LayerLock lock = lock(spark, config, layer)) {
      runAndPrint(spark, config, out, job);
    }
  }

  /** Runs the job and prints its summary line, to the log and the command's output. */
  private static void runAndPrint(
      SparkSession spark, MedallionConfig config, PrintStream out, Job job) {
    RunSummary summary = job.run(spark, config);
    LOG.info("{}", summary.line());
    out.println(summary.line());
  }

  /**
   * Takes {@code layer}'s lock, then keeps Delta's log cleanup of the layer's tables from deleting
   * commits their readers have yet to read: cleanup runs when a writer commits, and every writer
   * holds this lock.
   */
  static LayerLock lock(SparkSession spark, MedallionConfig config, String layer) {
    LayerLock lock = lock(config, layer);
    try {
      coverReaders(spark, config, layer);
      return lock;
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /** Takes {@code layer}'s lock without a SparkSession; call {@link #coverReaders} once in one. */
  static LayerLock lock(MedallionConfig config, String layer) {
    return LayerLock.acquire(
        new TableLocations(config.lakehouseRoot()),
        layer,
        SparkSessions.hadoopConf(config),
        Duration.ofSeconds(config.get(Settings.LOCK_LEASE_SECONDS)));
  }

  /**
   * Keeps Delta's log cleanup of {@code layer}'s tables from deleting commits their readers have
   * yet to read: cleanup runs when a writer commits, and every writer holds the layer's lock.
   */
  static void coverReaders(SparkSession spark, MedallionConfig config, String layer) {
    TableLocations locations = new TableLocations(config.lakehouseRoot());
    Instant now = Instant.now();
    for (TableSpec table : TableCatalog.all()) {
      if (table.layer().equals(layer)) {
        LogRetention.coverReaders(spark, locations, table, now)
            .ifPresent(warning -> LOG.warn("{}", warning));
      }
    }
  }

  /** Runs {@code work} in a SparkSession named after the command, stopped afterwards. */
  static void withSpark(
      String command, MedallionConfig config, java.util.function.Consumer<SparkSession> work) {
    LOG.info("medallion {} with config:\n{}", command, config.maskedDump());
    SparkSession spark = SparkSessions.create("medallion-" + command, config);
    try {
      work.accept(spark);
    } finally {
      spark.stop();
    }
  }
}
