package dev.medallion.launcher;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.spark.SparkSessions;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A command of {@code bin/medallion}: its name, its options and what it runs. {@link Main} parses
 * the command line and the config, then calls {@link #run}; a new command is a class here and a
 * line in {@link #ALL}.
 */
interface Command {
  /** Every command, in the order {@code --help} lists them. */
  List<Command> ALL =
      List.of(
          new BronzeCommand(),
          new SilverCommand(),
          new PipelineCommand(),
          new GoldCommand(),
          new SqlCommand(),
          new ServeCommand(),
          new QuarantineCommand(),
          new ReconcileCommand(),
          new StatusCommand(),
          new ReportCommand(),
          new TraceCommand(),
          new MaintainCommand(),
          new TablesCommand(),
          new LocalKafkaCommand(),
          new DemoCommand());

  /** The name typed after {@code bin/medallion}. */
  String commandName();

  /** One line for {@code --help}. */
  String description();

  default void addOptions(Options options) {}

  void run(CommandLine line, MedallionConfig config, PrintStream out);

  static Optional<Command> named(String name) {
    return ALL.stream().filter(c -> c.commandName().equals(name)).findFirst();
  }

  /** Runs {@code work} in a SparkSession named after the command, stopped afterwards. */
  static void withSpark(String command, MedallionConfig config, Consumer<SparkSession> work) {
    Logger log = LoggerFactory.getLogger(Command.class);
    log.info("medallion {} with config:\n{}", command, config.maskedDump());
    SparkSession spark = SparkSessions.create("medallion-" + command, config);
    try {
      work.accept(spark);
    } finally {
      spark.stop();
    }
  }
}
