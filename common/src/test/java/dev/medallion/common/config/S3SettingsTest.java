package dev.medallion.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.medallion.common.error.MedallionException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class S3SettingsTest {

  private static MedallionConfig load(Map<String, String> environment, String... sets) {
    return ConfigLoader.load(Optional.empty(), environment, List.of(sets));
  }

  @Test
  void withoutKeysS3asOwnKeysThenTheAwsDefaultCredentialChainApply() {
    Map<String, String> conf = S3Settings.sparkConf(load(Map.of()));

    assertThat(conf)
        .containsOnly(
            entry(
                "spark.hadoop.fs.s3a.aws.credentials.provider",
                "org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider,org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider,"
                    + "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider"),
            entry("spark.hadoop.fs.s3a.path.style.access", "false"));
  }

  @Test
  void staticKeysEndpointAndRegionMapToTheS3aConnector() {
    MedallionConfig config =
        load(
            Map.of("MEDALLION_S3_SECRET_KEY", "s3cr3t-value"),
            "s3.endpoint=http://127.0.0.1:9000",
            "s3.region=eu-west-1",
            "s3.path.style.access=true",
            "s3.access.key=AKIDEXAMPLE");

    assertThat(S3Settings.sparkConf(config))
        .containsOnly(
            entry("spark.hadoop.fs.s3a.endpoint", "http://127.0.0.1:9000"),
            entry("spark.hadoop.fs.s3a.connection.ssl.enabled", "false"),
            entry("spark.hadoop.fs.s3a.endpoint.region", "eu-west-1"),
            entry("spark.hadoop.fs.s3a.path.style.access", "true"),
            entry(
                "spark.hadoop.fs.s3a.aws.credentials.provider",
                "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider"),
            entry("spark.hadoop.fs.s3a.access.key", "AKIDEXAMPLE"),
            entry("spark.hadoop.fs.s3a.secret.key", "s3cr3t-value"));
    assertThat(config.maskedDump()).doesNotContain("s3cr3t-value").doesNotContain("AKIDEXAMPLE");
  }

  @Test
  void aSessionTokenSelectsTemporaryCredentials() {
    Map<String, String> conf =
        S3Settings.sparkConf(
            load(
                Map.of(),
                "s3.access.key=AKID",
                "s3.secret.key=secret1",
                "s3.session.token=token1",
                "s3.endpoint=https://s3.example.com"));

    assertThat(conf)
        .contains(
            entry(
                "spark.hadoop.fs.s3a.aws.credentials.provider",
                "org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider"),
            entry("spark.hadoop.fs.s3a.session.token", "token1"),
            entry("spark.hadoop.fs.s3a.connection.ssl.enabled", "true"));
  }

  @Test
  void halfAKeyPairIsAConfigErrorThatDoesNotEchoTheKey() {
    assertThatThrownBy(() -> load(Map.of(), "s3.secret.key=only-the-secret"))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("s3.access.key and s3.secret.key")
        .hasMessageNotContaining("only-the-secret");
  }

  @Test
  void anEndpointMustBeAnHttpUrl() {
    assertThatThrownBy(() -> load(Map.of(), "s3.endpoint=127.0.0.1:9000"))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("s3.endpoint")
        .hasMessageContaining("http:// or https:// URL");
  }
}
