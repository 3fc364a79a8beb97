package dev.medallion.testkit.testing;

import dev.medallion.common.config.ConfigLoader;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.spark.SparkSessions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/** Test helpers: one small local SparkSession per test class, and configs from key=values. */
public final class TestSpark {
  private TestSpark() {}

  /** A config with these keys set on top of the defaults, nothing from the environment. */
  public static MedallionConfig config(Map<String, String> settings) {
    List<String> sets = new ArrayList<>();
    settings.forEach((key, value) -> sets.add(key + "=" + value));
    sets.add("spark.master=local[2]");
    sets.add("spark.sql.shuffle.partitions=2");
    sets.add("spark.default.parallelism=2");
    return ConfigLoader.load(Optional.empty(), Map.of(), sets);
  }

  public static SparkSession session(MedallionConfig config) {
    return SparkSessions.create("medallion-test", config);
  }
}
