package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.common.table.TableLocations;
import dev.medallion.gold.GoldAssertions;
import dev.medallion.sample.events.EventGenerator;
import dev.medallion.sample.events.GeneratorSpec;
import dev.medallion.sample.events.GroundTruth;
import dev.medallion.testkit.testing.ChildJvm;
import dev.medallion.testkit.testing.TestSpark;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's demo on a driver whose JVM, OS and Spark session zone are not UTC: a zone with
 * daylight saving time and one with a half-hour offset. Gold must equal the ground truth aggregated
 * by UTC hour and day, checked from this (UTC) JVM.
 */
class TimeZoneIT {
  private static final int EVENTS = 3_000;
  private static final long SEED = 31;
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void startSpark() {
    spark = TestSpark.session(TestSpark.config(Map.of()));
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @ParameterizedTest
  @ValueSource(strings = {"America/New_York", "Asia/Kolkata"})
  void aDriverOutsideUtcBuildsTheSameGold(String zone) throws Exception {
    Path lakehouse = dir.resolve("lakehouse");
    ChildJvm.Result demo =
        ChildJvm.run(
            Main.class,
            List.of(
                "demo",
                "--events",
                String.valueOf(EVENTS),
                "--seed",
                String.valueOf(SEED),
                "--set",
                "lakehouse.root=" + lakehouse,
                "--set",
                "spark.master=local[2]",
                "--set",
                "spark.sql.session.timeZone=" + zone),
            Map.of("TZ", zone, "JAVA_TOOL_OPTIONS", "-Duser.timezone=" + zone),
            Duration.ofMinutes(5));

    assertThat(demo.exitCode()).as(demo.output()).isZero();
    assertThat(demo.output())
        .contains("Picked up JAVA_TOOL_OPTIONS: -Duser.timezone=" + zone, "gold: ");
    GroundTruth truth =
        GroundTruth.of(EventGenerator.generate(GeneratorSpec.realistic(SEED, EVENTS)));
    GoldAssertions.assertGoldEquals(spark, new TableLocations(lakehouse.toString()), truth);
  }
}
