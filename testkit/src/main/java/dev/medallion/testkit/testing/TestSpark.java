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
    // A test's batches are tens of rows: generating and compiling code for each projection and
    // stage (a quarter of a test JVM's CPU, profiled) costs more than interpreting them, with the
    // same results. One partition for Delta's log replay: each of its tasks generates its own.
    sets.add("spark.sql.codegen.factoryMode=NO_CODEGEN");
    sets.add("spark.sql.codegen.wholeStage=false");
    sets.add("spark.databricks.delta.snapshotPartitions=1");
    return ConfigLoader.load(Optional.empty(), Map.of(), sets);
  }

  public static SparkSession session(MedallionConfig config) {
    return SparkSessions.create("medallion-test", config);
  }
}
