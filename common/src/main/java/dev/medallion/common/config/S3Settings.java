package dev.medallion.common.config;

import dev.medallion.common.error.Errors;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns the {@code s3.*} keys into the Spark settings of Hadoop's s3a connector, so that users
 * configure S3 with six documented keys instead of the connector's own names. Without {@code s3.*}
 * keys, s3a's own key settings apply when given, and otherwise the AWS SDK's default credential
 * chain (environment, profile, web identity/IRSA, instance role), which s3a's own default list does
 * not fully cover. Settings given as {@code spark.hadoop.fs.s3a.*} keys or by {@code spark-submit}
 * win over these.
 */
public final class S3Settings {
  static final String PREFIX = "spark.hadoop.fs.s3a.";
  static final String CREDENTIALS_PROVIDER = PREFIX + "aws.credentials.provider";
  static final String DEFAULT_CHAIN =
      "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider";

  /**
   * Without {@code s3.*} keys: s3a's own key settings first ({@code fs.s3a.access.key}, {@code
   * secret.key}, {@code session.token}, per bucket too, from {@code spark.hadoop.*}, {@code
   * spark-submit --conf} or {@code core-site.xml}), each skipped when not set, then the AWS SDK's
   * default chain. This is s3a's default list with the SDK's whole chain at its end.
   */
  static final String KEYS_THEN_DEFAULT_CHAIN =
      "org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider,org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider,"
          + DEFAULT_CHAIN;

  static final String STATIC_KEYS = "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider";
  static final String TEMPORARY_KEYS = "org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider";

  private S3Settings() {}

  /** The s3a settings of {@code config}, as {@code spark.hadoop.fs.s3a.*} keys. */
  public static Map<String, String> sparkConf(MedallionConfig config) {
    Map<String, String> conf = new LinkedHashMap<>();
    String endpoint = config.get(Settings.S3_ENDPOINT);
    if (!endpoint.isEmpty()) {
      conf.put(PREFIX + "endpoint", endpoint);
      conf.put(PREFIX + "connection.ssl.enabled", String.valueOf(endpoint.startsWith("https://")));
    }
    String region = config.get(Settings.S3_REGION);
    if (!region.isEmpty()) {
      conf.put(PREFIX + "endpoint.region", region);
    }
    conf.put(
        PREFIX + "path.style.access", String.valueOf(config.get(Settings.S3_PATH_STYLE_ACCESS)));
    String accessKey = config.get(Settings.S3_ACCESS_KEY);
    String sessionToken = config.get(Settings.S3_SESSION_TOKEN);
    if (accessKey.isEmpty()) {
      conf.put(CREDENTIALS_PROVIDER, KEYS_THEN_DEFAULT_CHAIN);
    } else {
      conf.put(CREDENTIALS_PROVIDER, sessionToken.isEmpty() ? STATIC_KEYS : TEMPORARY_KEYS);
      conf.put(PREFIX + "access.key", accessKey);
      conf.put(PREFIX + "secret.key", config.get(Settings.S3_SECRET_KEY));
      if (!sessionToken.isEmpty()) {
        conf.put(PREFIX + "session.token", sessionToken);
      }
    }
    return conf;
  }

  /** Static credentials come as a pair (plus an optional token), or not at all. */
  static void checkCredentials(Map<String, Object> values) {
    boolean accessKey = !((String) values.get(Settings.S3_ACCESS_KEY.key())).isEmpty();
    boolean secretKey = !((String) values.get(Settings.S3_SECRET_KEY.key())).isEmpty();
    boolean sessionToken = !((String) values.get(Settings.S3_SESSION_TOKEN.key())).isEmpty();
    if (accessKey != secretKey || (sessionToken && !accessKey)) {
      throw Errors.usage(
          "Config keys s3.access.key and s3.secret.key (and s3.session.token, if any) go together:"
              + " set both for static S3 credentials, or none to use the AWS default credential"
              + " chain");
    }
  }
}
