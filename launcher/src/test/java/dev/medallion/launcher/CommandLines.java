package dev.medallion.launcher;

import dev.medallion.common.config.ConfigLoader;
import dev.medallion.common.config.MedallionConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Command lines of {@code bin/medallion} for tests that run it in another process. */
final class CommandLines {
  private CommandLines() {}

  /**
   * {@code <command> --set key=value ...} for every key of {@code settings} but secrets, which the
   * command line refuses: pass {@link #secrets} as the environment.
   */
  static List<String> withSettings(String command, Map<String, String> settings) {
    List<String> args = new ArrayList<>(List.of(command));
    settings.forEach(
        (key, value) -> {
          if (!MedallionConfig.isSecretKey(key)) {
            args.addAll(List.of("--set", key + "=" + value));
          }
        });
    return args;
  }

  /** The secrets of {@code settings} as the environment variables that set them. */
  static Map<String, String> secrets(Map<String, String> settings) {
    Map<String, String> environment = new HashMap<>();
    settings.forEach(
        (key, value) -> {
          if (MedallionConfig.isSecretKey(key)) {
            environment.put(ConfigLoader.envName(key), value);
          }
        });
    return environment;
  }
}
