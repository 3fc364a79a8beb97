package dev.medallion.silver;

import dev.medallion.common.config.ConfigLoader;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.spark.SparkSessions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/** Runs the silver job in a child JVM (arguments: key=value settings), so a test can kill it. */
public final class SilverMain {
  private SilverMain() {}

  public static void main(String[] args) {
    MedallionConfig config = ConfigLoader.load(Optional.empty(), Map.of(), List.of(args));
    SparkSession spark = SparkSessions.create("silver-child", config);
    System.out.println(SilverJob.run(spark, config, false).line());
    spark.stop();
  }
}
