package dev.medallion.bronze;

import dev.medallion.common.config.ConfigLoader;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.spark.SparkSessions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/** Runs the bronze job in a child JVM (arguments: key=value settings), so a test can kill it. */
public final class BronzeMain {
  private BronzeMain() {}

  public static void main(String[] args) {
    MedallionConfig config = ConfigLoader.load(Optional.empty(), Map.of(), List.of(args));
    SparkSession spark = SparkSessions.create("bronze-child", config);
    System.out.println(BronzeJob.run(spark, config).line());
    spark.stop();
  }
}
