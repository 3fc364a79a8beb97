package dev.medallion.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Command lines of {@code bin/medallion} for tests that run it in another process. */
final class CommandLines {
  private CommandLines() {}

  /** {@code <command> --set key=value ...} for every key of {@code settings}. */
  static List<String> withSettings(String command, Map<String, String> settings) {
    List<String> args = new ArrayList<>(List.of(command));
    settings.forEach((key, value) -> args.addAll(List.of("--set", key + "=" + value)));
    return args;
  }
}
