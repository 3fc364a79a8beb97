package dev.medallion.gold;

import dev.medallion.testkit.events.BundledProducts;
import dev.medallion.testkit.events.Event;
import dev.medallion.testkit.events.GroundTruth;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The gold tables a careful analyst would compute from the generator's unique valid events, in
 * plain Java: the test's independent answer. Values are rendered as comparable strings; averages
 * are kept apart because Spark rounds decimal averages to 10 places.
 */
final class ExpectedGold {
  static final BigDecimal FX = new BigDecimal("1.08");
  private static final long HOUR = 3_600_000L;

  final Map<String, String> hourlyRevenue = new TreeMap<>();
  final Map<String, BigDecimal> hourlyAverage = new TreeMap<>();
  final Map<String, String> dailyCategorySales = new TreeMap<>();
  final Map<String, String> dailyFunnel = new TreeMap<>();

  static ExpectedGold of(GroundTruth truth) {
    Map<String, String> categories = BundledProducts.categories();
    ExpectedGold expected = new ExpectedGold();
    Map<String, Group> hours = new HashMap<>();
    Map<String, Group> sales = new HashMap<>();
    Map<String, Funnel> funnels = new HashMap<>();
    for (Event e : truth.events().values()) {
      long hour = e.timestamp() - Math.floorMod(e.timestamp(), HOUR);
      String day = Instant.ofEpochMilli(e.timestamp()).toString().substring(0, 10);
      BigDecimal usd =
          e.revenue() == null
              ? null
              : BigDecimal.valueOf(e.revenue()).multiply(FX).setScale(6, RoundingMode.HALF_UP);
      hours.computeIfAbsent(hour + "|" + e.eventType(), k -> new Group()).add(e.userId(), usd);
      if (e.eventType().equals("purchase")) {
        sales
            .computeIfAbsent(
                day + "|" + categories.getOrDefault(e.productId(), "unknown"), k -> new Group())
            .add(e.userId(), usd);
      }
      Funnel funnel = funnels.computeIfAbsent(day, k -> new Funnel());
      switch (e.eventType()) {
        case "page_view" -> funnel.viewed.add(e.sessionId());
        case "add_to_cart" -> funnel.added.add(e.sessionId());
        case "purchase" -> funnel.purchased.add(e.sessionId());
        default -> {}
      }
    }
    hours.forEach(
        (key, g) -> {
          long start = Long.parseLong(key.substring(0, key.indexOf('|')));
          expected.hourlyRevenue.put(
              key,
              (start + HOUR)
                  + "|"
                  + g.count
                  + "|"
                  + g.total.toPlainString()
                  + "|"
                  + g.users.size());
          expected.hourlyAverage.put(
              key,
              g.withRevenue == 0
                  ? null
                  : g.total.divide(BigDecimal.valueOf(g.withRevenue), 12, RoundingMode.HALF_UP));
        });
    sales.forEach(
        (key, g) ->
            expected.dailyCategorySales.put(
                key, g.count + "|" + g.total.toPlainString() + "|" + g.users.size()));
    funnels.forEach(
        (day, f) ->
            expected.dailyFunnel.put(
                day,
                f.viewed.size()
                    + "|"
                    + f.added.size()
                    + "|"
                    + f.purchased.size()
                    + "|"
                    + rate(f.added.size(), f.viewed.size())
                    + "|"
                    + rate(f.purchased.size(), f.added.size())
                    + "|"
                    + rate(f.purchased.size(), f.viewed.size())));
    return expected;
  }

  private static String rate(long numerator, long denominator) {
    return denominator == 0 ? "null" : String.valueOf((double) numerator / denominator);
  }

  private static final class Group {
    long count;
    long withRevenue;
    BigDecimal total = BigDecimal.ZERO.setScale(6);
    final Set<String> users = new HashSet<>();

    void add(String user, BigDecimal usd) {
      count++;
      if (user != null) {
        users.add(user);
      }
      if (usd != null) {
        withRevenue++;
        total = total.add(usd);
      }
    }
  }

  private static final class Funnel {
    final Set<String> viewed = new HashSet<>();
    final Set<String> added = new HashSet<>();
    final Set<String> purchased = new HashSet<>();
  }
}
