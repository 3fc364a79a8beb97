package dev.medallion.common.error;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.s3a.UnknownStoreException;

/**
 * Turns the failures of object storage that users cause and can fix (credentials, a missing bucket,
 * an unreachable endpoint) into one line that says what to do; the s3a connector's own messages
 * bury that under SDK details. Messages name paths and config keys, never values.
 */
public final class StorageFailures {
  private static final Pattern S3A_PATH = Pattern.compile("s3a://[^\\s:]+");

  private StorageFailures() {}

  /** A one-line explanation of {@code failure} if it is an S3 failure users can fix. */
  public static Optional<String> explain(Throwable failure) {
    List<Throwable> chain = causes(failure);
    Optional<String> path =
        chain.stream()
            .map(Throwable::getMessage)
            .filter(Objects::nonNull)
            .map(S3A_PATH::matcher)
            .filter(Matcher::find)
            .map(Matcher::group)
            .findFirst();
    if (path.isEmpty()) {
      return Optional.empty();
    }
    if (contains(chain, AccessDeniedException.class)) {
      return Optional.of(
          "S3 denied access to "
              + path.get()
              + " (HTTP 403): check the credentials (s3.access.key and s3.secret.key, or the AWS"
              + " default credential chain when they are not set) and the bucket policy");
    }
    if (contains(chain, UnknownStoreException.class)) {
      return Optional.of(
          "The S3 bucket of "
              + path.get()
              + " does not exist: create it or correct lakehouse.root");
    }
    if (contains(chain, ConnectException.class)
        || contains(chain, UnknownHostException.class)
        || contains(chain, NoRouteToHostException.class)
        || contains(chain, SocketTimeoutException.class)) {
      Throwable root = chain.get(chain.size() - 1);
      return Optional.of(
          "Cannot reach the S3 endpoint for "
              + path.get()
              + " ("
              + root.getClass().getSimpleName()
              + ": "
              + Errors.firstLine(root.getMessage())
              + ") after retrying: check s3.endpoint and that the"
              + " server is up, then rerun; the run resumes from its checkpoint");
    }
    return Optional.empty();
  }

  private static List<Throwable> causes(Throwable failure) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = failure; t != null && !chain.contains(t); t = t.getCause()) {
      chain.add(t);
    }
    return chain;
  }

  private static boolean contains(List<Throwable> chain, Class<? extends Throwable> type) {
    return chain.stream().anyMatch(type::isInstance);
  }
}
