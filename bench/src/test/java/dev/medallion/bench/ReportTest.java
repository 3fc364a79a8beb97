package dev.medallion.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.bench.Report.Section;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
  /** One run measures the headline, a later run of the same commit the history: one report. */
  @Test
  void aSectionOfTheSameCommitIsKeptUntilMeasuredAgain(@TempDir Path home) throws Exception {
    measure(new Report(home, "c1"), Section.HEADLINE, "headline of run 1", "bronze_job_s", 11.5);

    Report second = new Report(home, "c1");
    Map<String, Object> results = new LinkedHashMap<>(second.earlierResults());
    assertThat(results).containsEntry("bronze_job_s", 11.5);
    measure(second, results, Section.HISTORY, "history of run 2", "history_gold_ratio", 1.25);

    assertThat(second.text())
        .contains("headline of run 1", "history of run 2")
        .containsSubsequence("headline of run 1", "history of run 2", "## Targets");
    assertThat(json(home))
        .containsEntry("commit", "c1")
        .containsEntry("bronze_job_s", 11.5)
        .containsEntry("history_gold_ratio", 1.25);
  }

  /** A report never combines builds: another commit, or uncommitted changes, start afresh. */
  @Test
  void anotherBuildsSectionsAreDropped(@TempDir Path home) throws Exception {
    measure(new Report(home, "c1"), Section.HEADLINE, "headline of c1", "bronze_job_s", 11.5);

    for (String build : new String[] {"c2", null}) {
      Report next = new Report(home, build);
      assertThat(next.earlierResults()).isEmpty();
      measure(next, Section.HISTORY, "history of " + build, "history_gold_ratio", 1.25);
      assertThat(next.text()).doesNotContain("headline of c1").contains("history of " + build);
      assertThat(json(home)).doesNotContainKey("bronze_job_s");
    }
    assertThat(json(home)).doesNotContainKey("commit");
  }

  /** A section measured again replaces the earlier one's text and figures, all of them. */
  @Test
  void aSectionMeasuredAgainReplacesTheEarlierOne(@TempDir Path home) throws Exception {
    Report first = new Report(home, "c1");
    Map<String, Object> results = new LinkedHashMap<>();
    first.begin(Section.HEADLINE, results);
    results.put("scale_gold_job_s", 170.0);
    results.put("bronze_job_s", 11.5);
    first.finish(Section.HEADLINE, "headline of run 1\n", results, "\n## Targets\n");
    assertThat(json(home)).containsEntry("scale_gold_job_s", 170.0);

    Report second = new Report(home, "c1");
    measure(
        second,
        new LinkedHashMap<>(second.earlierResults()),
        Section.HEADLINE,
        "headline of run 2",
        "bronze_job_s",
        12.5);

    assertThat(second.text()).doesNotContain("run 1").contains("headline of run 2");
    assertThat(json(home))
        .containsEntry("bronze_job_s", 12.5)
        .doesNotContainKey("scale_gold_job_s");
  }

  /**
   * The build is the last commit that changed code, while nothing tracked differs from it: a
   * committed report or analysis does not start a new build.
   */
  @Test
  void theBuildIsTheLastCommitThatChangedCode(@TempDir Path home) throws Exception {
    Files.writeString(home.resolve("Code.java"), "class Code {}\n");
    Files.writeString(home.resolve(Report.MARKDOWN), "# Benchmarks\n");
    git(home, "init", "-q");
    commit(home);
    String code = Report.cleanCommit(home);
    assertThat(code).matches("[0-9a-f]{40}");

    Files.writeString(home.resolve(Report.MARKDOWN), "# Benchmarks, measured\n");
    Files.writeString(home.resolve("notes.txt"), "untracked\n");
    assertThat(Report.cleanCommit(home)).isEqualTo(code);
    Files.delete(home.resolve("notes.txt"));
    Files.createDirectories(home.resolve("docs"));
    Files.writeString(home.resolve("docs/analysis.md"), "why\n");
    commit(home);
    assertThat(Report.cleanCommit(home)).isEqualTo(code);

    Files.writeString(home.resolve("Code.java"), "class Code { int changed; }\n");
    assertThat(Report.cleanCommit(home)).isNull();
    commit(home);
    assertThat(Report.cleanCommit(home)).matches("[0-9a-f]{40}").isNotEqualTo(code);
  }

  private static void commit(Path home) throws Exception {
    git(home, "add", "-A");
    git(home, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-q", "-m", "c");
  }

  private static void measure(Report report, Section section, String text, String key, double v)
      throws Exception {
    measure(report, new LinkedHashMap<>(report.earlierResults()), section, text, key, v);
  }

  private static void measure(
      Report report,
      Map<String, Object> results,
      Section section,
      String text,
      String key,
      double value)
      throws Exception {
    report.begin(section, results);
    results.put("cores", 2);
    results.put(key, value);
    report.finish(section, text + "\n", results, "\n## Targets\n");
  }

  private static Map<String, Object> json(Path home) throws Exception {
    return Report.readJson(Files.readAllLines(home.resolve(Report.JSON), StandardCharsets.UTF_8));
  }

  private static void git(Path home, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git", "-C", home.toString()));
    command.addAll(List.of(args));
    Process git = new ProcessBuilder(command).inheritIO().start();
    assertThat(git.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(git.exitValue()).isZero();
  }
}
