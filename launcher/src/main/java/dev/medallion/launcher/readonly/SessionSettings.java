package dev.medallion.launcher.readonly;

import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.SparkSession;
import scala.jdk.javaapi.CollectionConverters;

/**
 * What a client may change in its session, and the check that it changed nothing else. A setting
 * reaches a session by more roads than a SET statement (a HiveServer2 URL's {@code ;?key=value}
 * overlay, Spark Connect's config request), so every query compares the session's settings with
 * those the server's sessions start with: a difference outside {@link #SETTABLE} refuses the query.
 * That keeps {@code spark.sql.runSQLOnFiles=false}, scripting off and every other invariant, by
 * whatever road a client tried.
 */
public final class SessionSettings {
  /**
   * The keys a client may set: how its answers are formatted and computed, nothing it can widen.
   */
  public static final Set<String> SETTABLE =
      Set.of(
          "spark.sql.session.timeZone",
          "spark.sql.ansi.enabled",
          "spark.sql.shuffle.partitions",
          "spark.sql.legacy.timeParserPolicy");

  /**
   * Keys set in a client's session by the server's own code, not the client's: the Thrift server
   * names the Hive version it speaks and its clients' date and binary types; Delta turns Parquet
   * field ids on for the tables it reads. The Hive JDBC driver sends its fetch size as it opens a
   * session: a number of rows per round trip, nothing more.
   */
  private static final Set<String> SET_BY_SERVERS =
      Set.of(
          "spark.sql.hive.version",
          "spark.sql.datetime.java8API.enabled",
          "spark.sql.binaryOutputStyle",
          "hive.server2.thrift.resultset.default.fetch.size",
          "spark.sql.parquet.fieldId.read.enabled",
          "spark.sql.parquet.fieldId.write.enabled");

  /** What serve's and sql's sessions run with, whatever the operator's Spark settings say. */
  public static final Map<String, String> INVARIANTS =
      Map.of("spark.sql.runSQLOnFiles", "false", "spark.sql.scripting.enabled", "false");

  private final Map<String, String> start;

  /**
   * @param start the settings every client session starts with
   */
  SessionSettings(Map<String, String> start) {
    this.start = Map.copyOf(start);
  }

  static SessionSettings of(SparkSession newSession) {
    return new SessionSettings(
        CollectionConverters.asJava(newSession.sessionState().conf().getAllConfs()));
  }

  /**
   * HiveServer2 copies its own settings (the JVM's {@code hive.*} system properties serve sets
   * before it starts) into every session it opens.
   */
  private static boolean fromHiveServer(String key, String value) {
    return key.startsWith("hive.") && value != null && value.equals(System.getProperty(key));
  }

  /** One line naming the settings of {@code session} that a client changed and may not, if any. */
  Optional<String> refusal(SparkSession session) {
    Map<String, String> now =
        CollectionConverters.asJava(session.sessionState().conf().getAllConfs());
    Set<String> keys = new HashSet<>(start.keySet());
    keys.addAll(now.keySet());
    Set<String> changed = new TreeSet<>();
    for (String key : keys) {
      if (!Objects.equals(start.get(key), now.get(key))
          && !SETTABLE.contains(key)
          && !SET_BY_SERVERS.contains(key)
          && !fromHiveServer(key, now.get(key))) {
        changed.add(key);
      }
    }
    INVARIANTS.forEach(
        (key, value) -> {
          if (!value.equals(session.conf().get(key, null))) {
            changed.add(key);
          }
        });
    return changed.isEmpty()
        ? Optional.empty()
        : Optional.of(
            "a session whose settings were changed ("
                + String.join(", ", changed)
                + "): a client may set only "
                + settableKeys());
  }

  /** The keys of {@link #SETTABLE}, sorted, for a refusal to name. */
  static String settableKeys() {
    return String.join(", ", new TreeSet<>(SETTABLE));
  }
}
