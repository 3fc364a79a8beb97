package dev.medallion.launcher;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server for tests: S3Proxy in a child JVM on 127.0.0.1, storing objects under
 * a local directory so that they survive {@link #restart}. Stopped by {@link #close}.
 */
final class S3Server implements AutoCloseable {
  static final String ACCESS_KEY = "medallion-it";
  static final String SECRET_KEY = "it-secret-7f3a9c";
  static final String REGION = "us-east-1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Path dataDir;
  private final Path properties;
  private final int port;
  private Process process;

  private S3Server(Path workDir, int port) throws IOException {
    this.dataDir = Files.createDirectories(workDir.resolve("data"));
    this.properties = workDir.resolve("s3proxy.properties");
    this.port = port;
    Files.writeString(
        properties,
        String.join(
            "\n",
            "s3proxy.endpoint=" + endpoint(),
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + ACCESS_KEY,
            "s3proxy.credential=" + SECRET_KEY,
            "jclouds.provider=filesystem-nio2",
            "jclouds.filesystem.basedir=" + dataDir.toAbsolutePath(),
            ""));
  }

  /** Starts a server on a free loopback port with its data under {@code workDir}. */
  static S3Server start(Path workDir) throws IOException, InterruptedException {
    S3Server server = new S3Server(workDir, Loopback.freePort());
    server.startProcess();
    return server;
  }

  String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  /** The s3.* config keys that reach this server with the given secret. */
  Map<String, String> config(String secretKey) {
    return Map.of(
        "s3.endpoint", endpoint(),
        "s3.region", REGION,
        "s3.path.style.access", "true",
        "s3.access.key", ACCESS_KEY,
        "s3.secret.key", secretKey);
  }

  /** Where the server keeps the object {@code bucket/key} on disk. */
  Path localPath(String bucket, String key) {
    return dataDir.resolve(bucket).resolve(key);
  }

  void createBucket(String bucket) {
    try (S3Client client =
        S3Client.builder()
            .endpointOverride(URI.create(endpoint()))
            .region(Region.of(REGION))
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
            .build()) {
      client.createBucket(b -> b.bucket(bucket));
    }
  }

  void stop() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly(); // S3Proxy ignores SIGTERM
      process.waitFor(30, TimeUnit.SECONDS);
      process = null;
    }
  }

  /** Stops the server and starts it again on the same port and data. */
  void restart() throws IOException, InterruptedException {
    stop();
    startProcess();
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  private void startProcess() throws IOException, InterruptedException {
    String jar = System.getProperty("medallion.s3proxy.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(
          "No S3Proxy jar at '" + jar + "': run the tests through Maven (mvn verify)");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    process =
        new ProcessBuilder(
                List.of(java, "-Xmx512m", "-jar", jar, "--properties", properties.toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(new File("target/s3proxy.log")))
            .start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!Loopback.accepts(port)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        stop();
        throw new IllegalStateException(
            "S3Proxy did not start on " + endpoint() + "; see target/s3proxy.log");
      }
      Thread.sleep(100);
    }
  }
}
