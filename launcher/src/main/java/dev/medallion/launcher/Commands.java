package dev.medallion.launcher;

import java.util.List;
import java.util.Optional;

/** The commands of {@code bin/medallion}: the one list {@link Main} dispatches from. */
final class Commands {
  /** Every command, in the order {@code --help} lists them. */
  static final List<Command> ALL =
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

  private Commands() {}

  static Optional<Command> named(String name) {
    return ALL.stream().filter(c -> c.commandName().equals(name)).findFirst();
  }
}
