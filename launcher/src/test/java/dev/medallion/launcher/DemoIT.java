package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command, end to end, small; then sql and maintain over what it left. */
class DemoIT {
  @TempDir Path dir;

  @Test
  void demoRunsEveryLayerAndSqlReadsTheGoldItLeft() throws Exception {
    Path lakehouse = dir.resolve("lakehouse");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int code =
        Main.run(
            new String[] {
              "demo",
              "--events",
              "3000",
              "--set",
              "lakehouse.root=" + lakehouse,
              "--set",
              "spark.master=local[2]"
            },
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(printed)
        .contains(
            "bronze: ",
            "silver: ",
            "gold: ",
            "gold.hourly_revenue",
            "top hours of gold.hourly_revenue");
    assertThat(Files.exists(lakehouse.resolve("gold/hourly_revenue/_delta_log"))).isTrue();

    ByteArrayOutputStream sql = new ByteArrayOutputStream();
    int sqlCode =
        Main.run(
            new String[] {
              "sql",
              "--format",
              "csv",
              "--set",
              "lakehouse.root=" + lakehouse,
              "--set",
              "spark.master=local[2]",
              "SELECT sum(event_count) AS events FROM gold.hourly_revenue"
            },
            new PrintStream(sql, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(sqlCode).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(sql.toString(StandardCharsets.UTF_8).strip()).isEqualTo("events\n3000");

    ByteArrayOutputStream maintained = new ByteArrayOutputStream();
    int maintainCode =
        Main.run(
            new String[] {
              "maintain",
              "--table",
              "silver.events",
              "--set",
              "lakehouse.root=" + lakehouse,
              "--set",
              "spark.master=local[2]"
            },
            new PrintStream(maintained, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(maintainCode).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(maintained.toString(StandardCharsets.UTF_8))
        .contains(
            "silver.events: optimized (Z-order event_id), vacuumed files older than 168 hours");
    ByteArrayOutputStream unsafeErr = new ByteArrayOutputStream();
    int unsafe =
        Main.run(
            new String[] {
              "maintain",
              "--table",
              "silver.events",
              "--retention-hours",
              "1",
              "--set",
              "lakehouse.root=" + lakehouse
            },
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(unsafeErr, true, StandardCharsets.UTF_8));
    assertThat(unsafe).isEqualTo(2);
    assertThat(unsafeErr.toString(StandardCharsets.UTF_8))
        .startsWith("medallion: Refusing to VACUUM with a retention of 1 hours");

    // A second demo replaces the lakehouse the first one made; a foreign directory is refused.
    Path foreign = dir.resolve("foreign");
    Files.createDirectories(foreign.resolve("data"));
    int refused =
        Main.run(
            new String[] {"demo", "--events", "10", "--set", "lakehouse.root=" + foreign},
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(refused).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("Cannot run the demo in " + foreign);
  }
}
