package dev.medallion.common.ops;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Delivers a JSON document by HTTP POST, retried a few times within seconds: how alerts and lineage
 * events leave a run. Never throws, and never names the URL (it may carry a token).
 */
final class JsonPost {
  static final int ATTEMPTS = 3;
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final Duration FIRST_BACKOFF = Duration.ofMillis(250);

  private JsonPost() {}

  /** Posts {@code body}; returns why the last attempt failed, or null once one succeeded. */
  static String deliver(String url, String body, Map<String, String> headers) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(builder::header);
    HttpRequest request = builder.build();
    String failure = null;
    Duration backoff = FIRST_BACKOFF;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status / 100 == 2) {
          return null;
        }
        failure = "HTTP " + status;
      } catch (IOException e) {
        failure = e.getClass().getSimpleName();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted";
      }
      if (attempt < ATTEMPTS) {
        try {
          Thread.sleep(backoff.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return "interrupted";
        }
        backoff = backoff.multipliedBy(2);
      }
    }
    return failure;
  }
}
