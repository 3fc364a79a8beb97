package dev.medallion.gold;

import dev.medallion.common.config.ConfigLoader;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.spark.SparkSessions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/** Runs the gold job in a child JVM (arguments: key=value settings), so a test can kill it. */
public final class GoldMain {
  private GoldMain() {}

  public static void main(String[] args) {
    MedallionConfig config = ConfigLoader.load(Optional.empty(), Map.of(), List.of(args));
    SparkSession spark = SparkSessions.create("gold-child", config);
    System.out.println(GoldJob.run(spark, config, GoldRequest.incremental()).line());
    spark.stop();
  }
}
