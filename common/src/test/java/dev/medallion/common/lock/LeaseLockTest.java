package dev.medallion.common.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.medallion.common.error.MedallionException;
import dev.medallion.common.files.ProcessFreeLocalFileSystem;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.s3a.AWSBadRequestException;
import org.apache.hadoop.fs.s3a.AWSUnsupportedFeatureException;
import org.apache.hadoop.fs.s3a.RemoteFileChangedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The lease on a store that cannot write conditionally: one line that says so, told apart from a
 * lost race by the store's status, never by the text of its message.
 */
class LeaseLockTest {
  @Test
  void aStoreWithoutConditionalWritesIsNamedNotBlamedOnCredentials(@TempDir Path dir)
      throws Exception {
    // The local file system medallion's sessions use, not a cached one of Hadoop's for file:.
    FileSystem local = new ProcessFreeLocalFileSystem();
    local.initialize(URI.create("file:///"), new Configuration());
    org.apache.hadoop.fs.Path lock =
        new org.apache.hadoop.fs.Path(dir.toUri().toString(), "gold.lock");

    assertThatThrownBy(() -> LeaseLock.acquire(local, lock, "gold", Duration.ofSeconds(5)))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith(
            "Cannot take the gold run lock "
                + lock
                + ": this store does not support conditional writes")
        .hasMessageNotContaining("credentials");
  }

  @Test
  void aRefusedConditionOnAStoreThatHasThemIsARaceWhateverItsRequestIdSays() {
    IOException refused =
        new RemoteFileChangedException(
            "s3a://lake/_locks/gold.lock",
            "Writing Object",
            "At least one of the preconditions you specified did not hold. (Service: S3, Status"
                + " Code: 412, Request ID: 0A501F48E10C0501)");

    assertThat(LeaseLock.unsupportedByTheStore(refused)).isFalse();
    assertThat(LeaseLock.unsupportedByTheStore(new IOException("connection reset: 501 bytes read")))
        .isFalse();
  }

  @Test
  void aStoreAnsweringNotImplementedHasNoConditionalWrites() {
    AwsServiceException notImplemented =
        S3Exception.builder()
            .statusCode(501)
            .awsErrorDetails(AwsErrorDetails.builder().errorCode("NotImplemented").build())
            .build();

    assertThat(
            LeaseLock.unsupportedByTheStore(
                new AWSUnsupportedFeatureException("Writing Object", notImplemented)))
        .isTrue();
    assertThat(
            LeaseLock.unsupportedByTheStore(
                new AWSBadRequestException(
                    "Writing Object",
                    S3Exception.builder()
                        .statusCode(400)
                        .awsErrorDetails(
                            AwsErrorDetails.builder().errorCode("NotImplemented").build())
                        .build())))
        .isTrue();
  }
}
