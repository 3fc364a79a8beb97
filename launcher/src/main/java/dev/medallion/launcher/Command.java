package dev.medallion.launcher;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.spark.SparkSessions;
import java.io.PrintStream;
import java.util.function.Consumer;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A command of {@code bin/medallion}: its name, its options and what it runs. {@link Main} parses
 * the command line and the config, then calls {@link #run}; a new command is a class implementing
 * this and a line in {@link Commands#ALL}.
 */
interface Command {
  /** The name typed after {@code bin/medallion}. */
  String commandName();

  /** One line for {@code --help}. */
  String description();

  default void addOptions(Options options) {}

  void run(CommandLine line, MedallionConfig config, PrintStream out);

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
