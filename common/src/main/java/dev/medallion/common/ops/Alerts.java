package dev.medallion.common.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator must hear of without reading logs: a run that failed, a run that warned (a
 * quarantine ratio over its limit), micro-batches slower than the throughput floor. Each alert goes
 * to the log and, when {@code alerts.webhook.url} is set, to that URL as a JSON POST, retried a few
 * times within seconds. An alert never fails or holds up a run: it is raised after the commits it
 * is about, and a webhook that does not answer costs a warning in the log.
 */
public final class Alerts {
  private static final Logger LOG = LoggerFactory.getLogger(Alerts.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What happened. */
  public enum Kind {
    RUN_FAILED,
    RUN_WARNING,
    SLOW_BATCH
  }

  /** One alert: what happened, in which run, in one line. */
  public record Alert(Kind kind, String layer, String command, String runId, String message) {
    public Alert {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(message, "message");
    }
  }

  private final String webhook;

  private Alerts(String webhook) {
    this.webhook = webhook;
  }

  /** The sinks {@code config} sets: the log always, the webhook when configured. */
  public static Alerts from(MedallionConfig config) {
    return new Alerts(config.get(Settings.ALERTS_WEBHOOK_URL));
  }

  /** Logs the alert and delivers it to the webhook; never throws. */
  public void raise(Alert alert) {
    LOG.warn(
        "ALERT {} ({} run {}): {}", alert.kind(), alert.command(), alert.runId(), alert.message());
    if (webhook.isEmpty()) {
      return;
    }
    String failure = JsonPost.deliver(webhook, payload(alert), Map.of());
    if (failure != null) {
      // The URL may carry a token: it is never logged.
      LOG.warn(
          "alert {} not delivered to alerts.webhook.url after {} attempts: {}",
          alert.kind(),
          JsonPost.ATTEMPTS,
          failure);
    }
  }

  static String payload(Alert alert) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("source", "medallion");
    body.put("kind", alert.kind().name());
    body.put("layer", alert.layer());
    body.put("command", alert.command());
    body.put("run_id", alert.runId());
    body.put("message", alert.message());
    body.put("at", Instant.now().toString());
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write an alert as JSON", e);
    }
  }
}
