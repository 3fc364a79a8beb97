package dev.medallion.launcher;

import dev.medallion.common.config.ConfigLoader;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import dev.medallion.common.error.Errors;
import dev.medallion.common.error.MedallionException;
import dev.medallion.common.error.StorageFailures;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/medallion <command> [--config FILE] [--set key=value ...]}: the entry point of the
 * local launcher and of the cluster jar under {@code spark-submit}.
 *
 * <p>Exit codes: 0 success; {@value MedallionException#EXIT_JOB_FAILED} a job failed; {@value
 * MedallionException#EXIT_USAGE} bad command line or configuration (nothing started); {@value
 * MedallionException#EXIT_UNHEALTHY} {@code status} found a threshold broken. Every failure prints
 * one line starting with {@code medallion:} on standard error.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  static final String CONFIG = "config";
  static final String SET = "set";
  static final String HELP = "help";
  static final String QUIET = "quiet";

  private Main() {}

  public static void main(String[] args) {
    int exitCode = run(args, System.out, System.err);
    if (exitCode != 0) {
      System.exit(exitCode);
    }
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, System.getenv(), out, err);
  }

  /** Runs one command with this environment (the source of secrets); returns the exit code. */
  static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
    if (args.length == 0
        || args[0].equals("--help")
        || args[0].equals("-h")
        || args[0].equals(HELP)) {
      out.print(usage());
      return args.length == 0 ? MedallionException.EXIT_USAGE : 0;
    }
    Optional<Command> command = Commands.named(args[0]);
    if (command.isEmpty()) {
      err.println(
          "medallion: unknown command '" + args[0] + "'; run bin/medallion --help for the list");
      return MedallionException.EXIT_USAGE;
    }
    MedallionConfig config = null;
    try {
      Options options = options(command.get());
      CommandLine line =
          new DefaultParser().parse(options, Arrays.copyOfRange(args, 1, args.length));
      if (line.hasOption(HELP)) {
        out.print(help(command.get(), options));
        return 0;
      }
      config =
          ConfigLoader.load(
              Optional.ofNullable(line.getOptionValue(CONFIG)).map(Path::of),
              environment,
              ConfigLoader.refuseSecrets(
                  List.of(Optional.ofNullable(line.getOptionValues(SET)).orElse(new String[0]))));
      if (line.hasOption(QUIET)) {
        config = quiet(config);
      }
      TableCatalog.checkExpectations(config);
      command.get().run(line, config, out);
      return 0;
    } catch (ParseException e) {
      err.println("medallion: " + e.getMessage() + "; run bin/medallion " + args[0] + " --help");
      return MedallionException.EXIT_USAGE;
    } catch (MedallionException e) {
      String message = config == null ? e.getMessage() : config.maskSecrets(e.getMessage());
      LOG.debug("{} failed", args[0], e);
      err.println("medallion: " + message);
      return e.exitCode();
    } catch (Exception e) { // Scala code throws checked exceptions undeclared
      String message =
          args[0] + " failed: " + StorageFailures.explain(e).orElseGet(() -> rootCause(e));
      message = config == null ? message : config.maskSecrets(message);
      LOG.error("{}", message, config == null ? e : null);
      err.println("medallion: " + message);
      return MedallionException.EXIT_JOB_FAILED;
    }
  }

  /**
   * {@code --quiet}: medallion's own INFO lines, its progress and Spark's console progress bar off;
   * warnings, errors and the summary line (standard output) stay.
   */
  private static MedallionConfig quiet(MedallionConfig config) {
    Configurator.setLevel("dev.medallion", Level.WARN);
    return ConfigLoader.withSets(
        config, Map.of(Settings.PROGRESS.key(), "off", "spark.ui.showConsoleProgress", "false"));
  }

  private static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + Errors.firstLine(root.getMessage());
  }

  static Options options(Command command) {
    Options options = new Options();
    options.addOption(
        Option.builder()
            .longOpt(CONFIG)
            .hasArg()
            .argName("FILE")
            .desc("properties file with config keys")
            .get());
    options.addOption(
        Option.builder()
            .longOpt(SET)
            .hasArg()
            .argName("key=value")
            .desc("set one config key (repeatable; wins over file and environment)")
            .get());
    options.addOption(
        Option.builder("q")
            .longOpt(QUIET)
            .desc("for schedulers: warnings, errors and the summary line only, no progress")
            .get());
    options.addOption(Option.builder("h").longOpt(HELP).desc("show this help").get());
    command.addOptions(options);
    return options;
  }

  static String usage() {
    StringBuilder text =
        new StringBuilder(
            "usage: bin/medallion <command> [--config FILE] [--set key=value ...]\n\ncommands:\n");
    for (Command command : Commands.ALL) {
      text.append(String.format("  %-11s %s%n", command.commandName(), command.description()));
    }
    text.append(
        "\n"
            + "Config precedence: defaults < --config FILE < MEDALLION_* environment variables <"
            + " --set.\n"
            + "Exit codes: 0 ok, 1 job failed, 2 bad command line or config, 3 status unhealthy.\n"
            + "Run bin/medallion <command> --help for a command's options.\n");
    return text.toString();
  }

  private static String help(Command command, Options options) {
    java.io.StringWriter text = new java.io.StringWriter();
    new HelpFormatter()
        .printHelp(
            new java.io.PrintWriter(text),
            100,
            "bin/medallion " + command.commandName() + " [options]",
            command.description(),
            options,
            2,
            2,
            "");
    return text.toString();
  }
}
