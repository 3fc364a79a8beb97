package dev.medallion.launcher;

import dev.medallion.common.config.ConfigLoader;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import dev.medallion.common.error.Errors;
import dev.medallion.common.files.LocalFiles;
import dev.medallion.common.spark.SparkSessions;
import dev.medallion.common.table.TableLocations;
import dev.medallion.launcher.readonly.ConnectGuard;
import dev.medallion.launcher.readonly.ReadOnlySessions;
import dev.medallion.launcher.readonly.SessionSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.runtime.BoxedUnit;

/**
 * {@code bin/medallion serve}: one Spark application that answers SQL over the lakehouse for BI
 * tools and notebooks, through HiveServer2 (the Spark Thrift Server: JDBC, ODBC, PyHive) and Spark
 * Connect. The tables are registered by name ({@code gold.hourly_revenue}) in the application's
 * shared catalog, pointing at their locations, so every client session resolves each query against
 * the table's newest commit: a layer run is visible without a restart.
 *
 * <p>The two servers come from a Spark distribution ({@code SPARK_HOME}, or pyspark's jars, which
 * {@code bin/medallion} puts on the classpath), so they are started by name.
 */
final class SqlServer {
  static final String THRIFT_SERVER = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2";
  static final String CONNECT_SERVICE = "org.apache.spark.sql.connect.service.SparkConnectService";

  /** How often tables created after the start (a first gold run) are registered. */
  private static final long REGISTER_EVERY_SECONDS = 30;

  /** How long a server may take to accept connections after it was started. */
  private static final long LISTEN_TIMEOUT_MILLIS = 60_000;

  /** Runs before Spark's own hook (priority 50) stops the SparkContext. */
  private static final int STOP_PRIORITY = 60;

  private static final Logger LOG = LoggerFactory.getLogger(SqlServer.class);

  private static final String REFUSED_BY = "medallion serve is read-only and";

  private SqlServer() {}

  /**
   * Where and for whom the two servers listen, checked before anything starts: beyond loopback a
   * token is required, and it travels over plain text only where the operator said so.
   */
  private record Endpoint(
      String host,
      int thriftPort,
      int connectPort,
      String token,
      Tls tls,
      boolean plaintext,
      Set<String> schemas) {
    static Endpoint of(MedallionConfig config, boolean allowWrites) {
      Endpoint endpoint =
          new Endpoint(
              config.get(Settings.SERVE_HOST),
              config.get(Settings.SERVE_THRIFT_PORT),
              config.get(Settings.SERVE_CONNECT_PORT),
              config.get(Settings.SERVE_TOKEN),
              Tls.of(config),
              config.get(Settings.SERVE_PLAINTEXT),
              Set.copyOf(config.get(Settings.SERVE_SCHEMAS)));
      boolean beyond = !loopback(endpoint.host);
      if (beyond && endpoint.token.isEmpty()) {
        throw Errors.usage(
            "serve.host="
                + endpoint.host
                + " listens beyond this machine: set a token (MEDALLION_SERVE_TOKEN) that clients"
                + " send as their password, or serve on 127.0.0.1");
      }
      if (beyond && endpoint.tls.keystore().isEmpty() && !endpoint.plaintext) {
        throw Errors.usage(
            "serve.host="
                + endpoint.host
                + " listens beyond this machine and HiveServer2 would take the token over plain"
                + " text: set serve.tls.keystore (its password as"
                + " MEDALLION_SERVE_TLS_KEYSTORE_PASSWORD), or serve.plaintext=true on a network"
                + " you trust");
      }
      if (beyond && allowWrites) {
        throw Errors.usage(
            "serve --allow-writes lets clients run anything this server's user can: it serves on"
                + " 127.0.0.1 only, not serve.host="
                + endpoint.host);
      }
      requireFree(endpoint.host, endpoint.thriftPort, Settings.SERVE_THRIFT_PORT.key());
      requireFree(endpoint.connectHost(), endpoint.connectPort, Settings.SERVE_CONNECT_PORT.key());
      return endpoint;
    }

    /** Spark Connect has no TLS: beyond loopback only when the operator allows plain text. */
    String connectHost() {
      return loopback(host) || plaintext ? host : "127.0.0.1";
    }

    /** The host clients name: pyspark sends a token over plain gRPC only to "localhost". */
    static String clientHost(String host) {
      return loopback(host) ? "localhost" : host;
    }
  }

  /** HiveServer2's TLS keystore, if the operator gave one. */
  private record Tls(String keystore, String password) {
    static Tls of(MedallionConfig config) {
      String keystore = config.get(Settings.SERVE_TLS_KEYSTORE);
      if (!keystore.isEmpty() && !Files.isReadable(Path.of(keystore))) {
        throw Errors.usage(
            "Cannot read serve.tls.keystore="
                + keystore
                + ": give the path of a readable JKS or PKCS12 keystore");
      }
      return new Tls(keystore, config.get(Settings.SERVE_TLS_KEYSTORE_PASSWORD));
    }
  }

  /** Serves until the JVM is stopped (SIGTERM, Ctrl-C). */
  static void run(MedallionConfig config, boolean allowWrites, PrintStream out) {
    requireClass(THRIFT_SERVER, "the Spark Thrift Server (spark-hive-thriftserver)");
    requireClass(CONNECT_SERVICE, "Spark Connect (spark-connect)");
    Endpoint endpoint = Endpoint.of(config, allowWrites);
    Path scratch = scratchDirectory();
    configureThriftServer(endpoint, scratch);
    MedallionConfig served =
        ConfigLoader.withSets(config, sparkConf(endpoint, scratch, allowWrites));
    LOG.info("medallion serve with config:\n{}", served.maskedDump());
    SparkSession spark = SparkSessions.create("medallion-serve", served);
    TableLocations locations = config.tables();
    ReadOnlySessions.guard(
        spark,
        endpoint.schemas(),
        REFUSED_BY,
        refused -> LOG.warn("serve: refused: {}", Errors.oneLine(refused)));
    TableCatalog catalog = TableCatalog.of(config);
    int tables = SqlCatalog.register(spark, catalog, locations, endpoint.schemas());

    Object thrift = invoke(THRIFT_SERVER, "startWithSparkSession", spark, false);
    invoke(CONNECT_SERVICE, "start", spark.sparkContext());
    ScheduledExecutorService registrar =
        registerNewTables(spark, catalog, locations, endpoint.schemas());
    CountDownLatch stopped = new CountDownLatch(1);
    org.apache.spark.util.ShutdownHookManager.addShutdownHook(
        STOP_PRIORITY,
        () -> {
          registrar.shutdownNow();
          stop(thrift);
          LocalFiles.deleteRecursively(scratch);
          out.println("serve: stopped");
          out.flush();
          stopped.countDown();
          return BoxedUnit.UNIT;
        });
    awaitListening(endpoint.host(), endpoint.thriftPort(), "HiveServer2");
    awaitListening(endpoint.connectHost(), endpoint.connectPort(), "Spark Connect");
    String thriftClient = Endpoint.clientHost(endpoint.host());
    String connectClient = Endpoint.clientHost(endpoint.connectHost());
    out.printf(
        "serve: %d tables (%s), %s%n"
            + "serve: HiveServer2 (JDBC/ODBC, PyHive) on jdbc:hive2://%s:%d/gold%s%n"
            + "serve: Spark Connect on sc://%s:%d%s%n"
            + "serve: ready; stop with SIGTERM or Ctrl-C%n",
        tables,
        endpoint.schemas().stream().sorted().map(schema -> schema + ".*").toList(),
        allowWrites ? "writes allowed" : "read-only",
        thriftClient,
        endpoint.thriftPort(),
        endpoint.tls().keystore().isEmpty() ? "" : ";ssl=true (TLS)",
        connectClient,
        endpoint.connectPort(),
        endpoint.token().isEmpty()
            ? ""
            : " (send the token: sc://"
                + connectClient
                + ":"
                + endpoint.connectPort()
                + "/;token=…)");
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * HiveServer2 reads its settings from a HiveConf, which takes JVM system properties. Its Hive
   * session state keeps an in-memory Derby, whose log would land in the working directory.
   */
  private static void configureThriftServer(Endpoint endpoint, Path scratch) {
    System.setProperty("hive.server2.thrift.bind.host", endpoint.host());
    System.setProperty("hive.server2.thrift.port", Integer.toString(endpoint.thriftPort()));
    System.setProperty("hive.server2.transport.mode", "binary");
    System.setProperty(
        "hive.server2.authentication", endpoint.token().isEmpty() ? "NONE" : "CUSTOM");
    System.setProperty(
        "hive.server2.custom.authentication.class", ServeAuthentication.class.getName());
    if (!endpoint.tls().keystore().isEmpty()) {
      System.setProperty("hive.server2.use.SSL", "true");
      System.setProperty("hive.server2.keystore.path", endpoint.tls().keystore());
      System.setProperty("hive.server2.keystore.password", endpoint.tls().password());
    }
    System.setProperty("derby.stream.error.file", scratch.resolve("derby.log").toString());
    ServeAuthentication.expect(endpoint.token());
  }

  /** Spark Connect's address and token, and what keeps clients to reading tables by name. */
  private static Map<String, String> sparkConf(
      Endpoint endpoint, Path scratch, boolean allowWrites) {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.connect.grpc.binding.address", endpoint.connectHost());
    conf.put("spark.connect.grpc.binding.port", Integer.toString(endpoint.connectPort()));
    if (!endpoint.token().isEmpty()) {
      conf.put("spark.connect.authenticate.token", endpoint.token()); // redacted: a secret key
    }
    // The schemas the catalog creates get a directory; nothing is written there (the tables are
    // external), and it is not the working directory.
    conf.put("spark.sql.warehouse.dir", scratch.resolve("warehouse").toUri().toString());
    if (!allowWrites) {
      // Clients read tables by name, never files of the server (parquet.`/path`), and run no
      // SQL scripts; every query checks that the session still says so.
      conf.putAll(SessionSettings.INVARIANTS);
      conf.put("spark.sql.extensions", ReadOnlySessions.extensions());
      conf.put("spark.connect.grpc.interceptor.classes", ConnectGuard.class.getName());
    }
    return conf;
  }

  /** Registers tables created after the start (a first gold run) every half minute. */
  private static ScheduledExecutorService registerNewTables(
      SparkSession spark, TableCatalog catalog, TableLocations locations, Set<String> schemas) {
    ScheduledExecutorService registrar =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "medallion-serve-register");
              thread.setDaemon(true);
              return thread;
            });
    registrar.scheduleWithFixedDelay(
        () -> register(spark, catalog, locations, schemas),
        REGISTER_EVERY_SECONDS,
        REGISTER_EVERY_SECONDS,
        TimeUnit.SECONDS);
    return registrar;
  }

  private static Path scratchDirectory() {
    try {
      return Files.createTempDirectory("medallion-serve-");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("Cannot create serve's scratch directory", e);
    }
  }

  private static void register(
      SparkSession spark, TableCatalog catalog, TableLocations locations, Set<String> schemas) {
    try {
      SqlCatalog.register(spark, catalog, locations, schemas);
    } catch (RuntimeException e) {
      LOG.warn("Cannot register new tables: {}", Errors.firstLine(e.getMessage()));
    }
  }

  private static void stop(Object thrift) {
    try {
      thrift.getClass().getMethod("stop").invoke(thrift);
      invoke(CONNECT_SERVICE, "stop", Option.empty(), Option.empty());
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("Stopping the servers: {}", Errors.firstLine(String.valueOf(e.getMessage())));
    }
  }

  private static Object invoke(String className, String method, Object... args) {
    try {
      for (java.lang.reflect.Method candidate : Class.forName(className).getMethods()) {
        if (candidate.getName().equals(method) && candidate.getParameterCount() == args.length) {
          return candidate.invoke(null, args);
        }
      }
      throw new IllegalStateException(className + " has no method " + method);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(
          "Cannot start " + className + ": " + Errors.firstLine(e.getCause().getMessage()),
          e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void requireClass(String className, String what) {
    try {
      Class.forName(className);
    } catch (ClassNotFoundException e) {
      throw Errors.usage(
          "serve needs "
              + what
              + " from a Spark distribution: run it through bin/medallion (it adds SPARK_HOME's"
              + " or pyspark's jars) or spark-submit");
    }
  }

  static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw Errors.usage("Unknown serve.host '" + host + "': " + e.getMessage());
    }
  }

  /** A port in use fails here with its key, not later inside a server's thread. */
  private static void requireFree(String host, int port, String key) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw Errors.usage(
          "Cannot listen on "
              + host
              + ":"
              + port
              + " ("
              + e.getMessage()
              + "): another server has it; set "
              + key);
    }
  }

  private static void awaitListening(String host, int port, String server) {
    long deadline = System.currentTimeMillis() + LISTEN_TIMEOUT_MILLIS;
    while (true) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), 1000);
        return;
      } catch (IOException e) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException(
              server + " did not listen on " + host + ":" + port + " within a minute");
        }
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while " + server + " started", e);
      }
    }
  }
}
