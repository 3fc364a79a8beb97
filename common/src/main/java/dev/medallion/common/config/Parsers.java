package dev.medallion.common.config;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Value parsers for {@link Setting}s; each rejects what it cannot accept. */
final class Parsers {
  private Parsers() {}

  static String text(String raw) {
    return raw;
  }

  static String nonBlank(String raw) {
    if (raw.isBlank()) {
      throw new IllegalArgumentException("blank");
    }
    return raw;
  }

  static long positiveLong(String raw) {
    long value = Long.parseLong(raw);
    if (value <= 0) {
      throw new IllegalArgumentException("not positive");
    }
    return value;
  }

  static long nonNegativeLong(String raw) {
    long value = Long.parseLong(raw);
    if (value < 0) {
      throw new IllegalArgumentException("negative");
    }
    return value;
  }

  static int nonNegativeInt(String raw) {
    int value = Integer.parseInt(raw);
    if (value < 0) {
      throw new IllegalArgumentException("negative");
    }
    return value;
  }

  static BigDecimal positiveDecimal(String raw) {
    BigDecimal value = new BigDecimal(raw);
    if (value.signum() <= 0) {
      throw new IllegalArgumentException("not positive");
    }
    return value;
  }

  /** A factor of at least 1. */
  static double atLeastOne(String raw) {
    double value = Double.parseDouble(raw.trim());
    if (!(value >= 1 && value < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("not at least 1: " + raw);
    }
    return value;
  }

  /** A share from 0 to 1. */
  static double ratio(String raw) {
    double value = Double.parseDouble(raw.trim());
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException("not between 0 and 1: " + raw);
    }
    return value;
  }

  /** A byte count, optionally with a k, m or g suffix; returned normalized for Spark. */
  static String byteSize(String raw) {
    if (!raw.toLowerCase(Locale.ROOT).matches("[1-9][0-9]*[kmg]?")) {
      throw new IllegalArgumentException("not a size");
    }
    return raw.toLowerCase(Locale.ROOT);
  }

  static boolean bool(String raw) {
    return switch (raw.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("not a boolean");
    };
  }

  static int port(String raw) {
    int port = Integer.parseInt(raw);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range");
    }
    return port;
  }

  static List<String> commaList(String raw) {
    return Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** A non-empty list of the lakehouse's SQL schemas. */
  static List<String> servedSchemas(String raw) {
    List<String> schemas = commaList(raw);
    for (String schema : schemas) {
      oneOf(schema, "bronze", "silver", "gold", "ops");
    }
    if (schemas.isEmpty()) {
      throw new IllegalArgumentException("no schema");
    }
    return schemas;
  }

  /** host:port[,host:port...], or empty where the key is optional until a job needs it. */
  static List<String> hostPorts(String raw) {
    List<String> servers = commaList(raw);
    for (String server : servers) {
      int colon = server.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("no port");
      }
      port(server.substring(colon + 1));
    }
    return servers;
  }

  static String regexOrEmpty(String raw) {
    if (!raw.isEmpty()) {
      try {
        Pattern.compile(raw);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("bad regex", e);
      }
    }
    return raw;
  }

  static String httpUrlOrEmpty(String raw) {
    if (raw.isEmpty()) {
      return raw;
    }
    java.net.URI uri = java.net.URI.create(raw);
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw new IllegalArgumentException("not an http(s) URL");
    }
    return raw;
  }

  static String oneOf(String raw, String... allowed) {
    for (String candidate : allowed) {
      if (candidate.equals(raw)) {
        return raw;
      }
    }
    throw new IllegalArgumentException("not one of " + String.join("|", allowed));
  }
}
