package dev.medallion.launcher;

import dev.medallion.testkit.testing.ChildJvm;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Spark standalone cluster for tests: a master and one worker started with the
 * distribution's {@code bin/spark-class} on 127.0.0.1, and {@code bin/spark-submit} to reach it.
 * The worker launches executors from the distribution's jars, so an application gets only what
 * Spark ships plus its own jar. Stopped, executors included, by {@link #close}.
 */
final class SparkStandalone implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Pattern ALIVE_WORKERS = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");
  private static final Pattern COMPLETED_APP_NAME =
      Pattern.compile("\"name\"\\s*:\\s*\"([^\"]+)\"");

  private final Path sparkHome;
  private final Path workDir;
  private final int masterPort = Loopback.freePort();
  private final int masterUiPort = Loopback.freePort();
  private final List<Process> daemons = new ArrayList<>();

  private SparkStandalone(Path sparkHome, Path workDir) {
    this.sparkHome = sparkHome;
    this.workDir = workDir;
  }

  /** Starts a master and a worker with {@code cores} cores and {@code memory} (e.g. 2g). */
  static SparkStandalone start(Path sparkHome, Path workDir, int cores, String memory)
      throws IOException, InterruptedException {
    SparkStandalone cluster = new SparkStandalone(sparkHome, workDir);
    try {
      cluster.daemon(
          "master",
          "org.apache.spark.deploy.master.Master",
          "--host",
          "127.0.0.1",
          "--port",
          String.valueOf(cluster.masterPort),
          "--webui-port",
          String.valueOf(cluster.masterUiPort));
      cluster.daemon(
          "worker",
          "org.apache.spark.deploy.worker.Worker",
          "--host",
          "127.0.0.1",
          "--webui-port",
          String.valueOf(Loopback.freePort()),
          "--cores",
          String.valueOf(cores),
          "--memory",
          memory,
          "--work-dir",
          Files.createDirectories(workDir.resolve("worker")).toString(),
          cluster.masterUrl());
      cluster.awaitWorker();
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  /**
   * Runs {@code bin/spark-submit --master <this cluster> --class <mainClass> <jar> <args>} in
   * client mode (the driver in the submitting process) and returns its exit code and output.
   */
  ChildJvm.Result submit(
      String mainClass, Path jar, List<String> sparkConf, List<String> args, Duration timeout)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                sparkHome.resolve("bin/spark-submit").toString(),
                "--master",
                masterUrl(),
                "--deploy-mode",
                "client",
                "--class",
                mainClass));
    sparkConf.forEach(conf -> command.addAll(List.of("--conf", conf)));
    command.add(jar.toString());
    command.addAll(args);
    File output = File.createTempFile("spark-submit-", ".log", workDir.toFile());
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output);
    environment(builder.environment());
    Process submit = builder.start();
    try {
      if (!submit.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            "spark-submit did not end within " + timeout + "; see " + output);
      }
      return new ChildJvm.Result(submit.exitValue(), Files.readString(output.toPath()));
    } finally {
      destroyTree(submit);
    }
  }

  /** Names of the applications that ran to their end on this cluster, as the master reports. */
  List<String> completedApplications() throws IOException, InterruptedException {
    String json = masterState();
    int completed = json.indexOf("\"completedapps\"");
    List<String> names = new ArrayList<>();
    if (completed >= 0) {
      Matcher matcher = COMPLETED_APP_NAME.matcher(json.substring(completed));
      while (matcher.find()) {
        names.add(matcher.group(1));
      }
    }
    return names;
  }

  @Override
  public void close() throws InterruptedException {
    for (int i = daemons.size() - 1; i >= 0; i--) {
      destroyTree(daemons.get(i));
    }
    daemons.clear();
  }

  private void daemon(String name, String mainClass, String... args) throws IOException {
    List<String> command =
        new ArrayList<>(List.of(sparkHome.resolve("bin/spark-class").toString(), mainClass));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve(name + ".log").toFile());
    environment(builder.environment());
    daemons.add(builder.start());
  }

  private void environment(Map<String, String> env) {
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("SPARK_LOCAL_DIRS", workDir.toString());
    env.put("SPARK_LOG_DIR", workDir.toString());
    env.put("SPARK_CONF_DIR", workDir.toString());
  }

  private void awaitWorker() throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (daemons.stream().anyMatch(p -> !p.isAlive())) {
        throw new IllegalStateException(
            "A Spark daemon exited; see " + workDir + "/master.log and worker.log");
      }
      try {
        Matcher alive = ALIVE_WORKERS.matcher(masterState());
        if (alive.find() && Integer.parseInt(alive.group(1)) > 0) {
          return;
        }
      } catch (IOException e) {
        // the master's UI is not up yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(
        "No worker registered with " + masterUrl() + " within " + START_TIMEOUT);
  }

  private String masterState() throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUiPort + "/json/"))
            .timeout(Duration.ofSeconds(5))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  private static void destroyTree(Process process) throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
