package dev.medallion.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code BENCHMARKS.md} and {@code benchmarks.json}, rewritten each time a section of a run ends.
 * The full run takes about two hours, over three on a slow day: a run stopped in its last section
 * keeps the sections it finished, and a section measured by an earlier run of the same clean commit
 * stays until this run measures it again, so the two sections can be measured by two runs of one
 * build. Each section says the command and commit that measured it.
 */
final class Report {
  static final String MARKDOWN = "BENCHMARKS.md";
  static final String JSON = "benchmarks.json";
  private static final String COMMIT_KEY = "commit";
  private static final Pattern SECTION =
      Pattern.compile("(?s)<!-- section (\\w+) -->\n(.*?)<!-- end \\1 -->\n");
  private static final Pattern ENTRY = Pattern.compile("^\\s*\"([^\"]+)\": (\"?)(.*?)\\2,?$");

  /** The report's parts, each measured by one run; a part owns its keys in benchmarks.json. */
  enum Section {
    /** Kafka's consumer, first, no-op and hourly runs, the baseline, the peer, one core, scale. */
    HEADLINE,
    /** The same hourly increment after histories of different lengths ({@link HistoryLength}). */
    HISTORY;

    boolean owns(String key) {
      boolean history = key.startsWith("history_");
      return this == HISTORY
          ? history
          : !history && !key.equals("cores") && !key.equals(COMMIT_KEY);
    }

    String marker() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Path home;
  private final String commit;
  private final Map<Section, String> sections = new EnumMap<>(Section.class);
  private final Map<String, Object> earlier = new LinkedHashMap<>();

  /**
   * @param commit the clean commit being measured, or null (uncommitted changes, no git): then
   *     nothing an earlier run wrote is kept
   */
  Report(Path home, String commit) throws IOException {
    this.home = home;
    this.commit = commit;
    Path json = home.resolve(JSON);
    Path markdown = home.resolve(MARKDOWN);
    if (commit == null || !Files.exists(json) || !Files.exists(markdown)) {
      return;
    }
    Map<String, Object> entries = readJson(Files.readAllLines(json, StandardCharsets.UTF_8));
    if (!commit.equals(entries.get(COMMIT_KEY))) {
      return;
    }
    Matcher section = SECTION.matcher(Files.readString(markdown, StandardCharsets.UTF_8));
    while (section.find()) {
      sections.put(Section.valueOf(section.group(1).toUpperCase(Locale.ROOT)), section.group(2));
    }
    entries.forEach(
        (key, value) -> {
          if (sections.keySet().stream().anyMatch(s -> s.owns(key))) {
            earlier.put(key, value);
          }
        });
  }

  /** The report of {@code home}'s checked-out commit. */
  static Report of(Path home) throws IOException {
    return new Report(home, cleanCommit(home));
  }

  /** What the kept sections measured: the run's results start from these. */
  Map<String, Object> earlierResults() {
    return earlier;
  }

  /** For a report's text: which build measured it. */
  String commitLabel() {
    return commit == null
        ? "a build with uncommitted changes or outside git"
        : "commit `" + commit + "`";
  }

  /**
   * A section is about to be measured again: its earlier text and figures are dropped, so the
   * report never mixes two runs in one section.
   */
  void begin(Section section, Map<String, Object> results) {
    sections.remove(section);
    results.keySet().removeIf(section::owns);
  }

  /** Ends {@code section} with its text and writes the report with every section it holds. */
  void finish(Section section, String markdown, Map<String, Object> results, String targets)
      throws IOException {
    sections.put(section, markdown.endsWith("\n") ? markdown : markdown + "\n");
    StringBuilder md = new StringBuilder("# Benchmarks\n\n");
    sections.forEach(
        (part, text) ->
            md.append("<!-- section ")
                .append(part.marker())
                .append(" -->\n")
                .append(text)
                .append("<!-- end ")
                .append(part.marker())
                .append(" -->\n"));
    md.append(targets);
    // Only what was measured: hand-written reasoning lives in dated documents under docs/.
    md.append("\nWhy targets are missed, from an earlier run: `docs/benchmarks-analysis-*.md`.\n");
    Files.writeString(home.resolve(MARKDOWN), md.toString(), StandardCharsets.UTF_8);
    List<String> entries = new ArrayList<>();
    if (commit != null) {
      entries.add("  \"" + COMMIT_KEY + "\": \"" + commit + "\"");
    }
    results.forEach(
        (key, value) ->
            entries.add(
                "  \"" + key + "\": " + (value instanceof Number ? value : "\"" + value + "\"")));
    Files.writeString(
        home.resolve(JSON), "{\n" + String.join(",\n", entries) + "\n}\n", StandardCharsets.UTF_8);
  }

  /** The report as last written. */
  String text() throws IOException {
    return Files.readString(home.resolve(MARKDOWN), StandardCharsets.UTF_8);
  }

  /** benchmarks.json as {@link #finish} writes it: one entry a line, numbers and strings. */
  static Map<String, Object> readJson(List<String> lines) {
    Map<String, Object> entries = new LinkedHashMap<>();
    for (String line : lines) {
      Matcher entry = ENTRY.matcher(line);
      if (entry.matches()) {
        String value = entry.group(3);
        entries.put(
            entry.group(1),
            !entry.group(2).isEmpty()
                ? value
                : value.matches("-?\\d+") ? Long.parseLong(value) : Double.parseDouble(value));
      }
    }
    return entries;
  }

  /**
   * The last commit of {@code home}'s git work tree that changed what a run measures (anything but
   * the report and docs/, so committing a report or its analysis keeps it), when nothing tracked
   * differs from it; null otherwise, or without git.
   */
  static String cleanCommit(Path home) {
    try {
      List<String> measured = List.of("--", ".", ":!" + MARKDOWN, ":!" + JSON, ":!docs");
      String last = git(home, List.of("log", "-1", "--format=%H"), measured);
      String changed =
          git(home, List.of("status", "--porcelain", "--untracked-files=no"), measured);
      return last != null && !last.isEmpty() && changed != null && changed.isEmpty() ? last : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** git's output for {@code args} limited to {@code paths}, or null when it fails. */
  private static String git(Path home, List<String> args, List<String> paths)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("git", "-C", home.toString()));
    command.addAll(args);
    command.addAll(paths);
    Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!git.waitFor(1, TimeUnit.MINUTES)) {
      git.destroyForcibly();
      return null;
    }
    return git.exitValue() == 0 ? output.trim() : null;
  }
}
