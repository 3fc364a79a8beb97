package dev.medallion.gold;

import dev.medallion.sample.events.BundledProducts;
import dev.medallion.sample.events.Event;
import dev.medallion.sample.events.GroundTruth;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

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
  final Map<String, String> sessions = new TreeMap<>();
  final Map<String, String> userFeatures = new TreeMap<>();
  final Map<String, BigDecimal> userAverageOrder = new TreeMap<>();
  final Map<String, String> userFeaturesKnown = new TreeMap<>();
  final Map<String, BigDecimal> userAverageOrderKnown = new TreeMap<>();

  /**
   * The tables of {@code truth}'s events, each ingested into bronze on {@code ingestDays}' day for
   * its id (the UTC day its first copy was ingested).
   */
  static ExpectedGold of(GroundTruth truth, Map<String, LocalDate> ingestDays) {
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
    expected.addSessions(truth);
    expected.addUserFeatures(
        truth, categories, ExpectedGold::day, expected.userFeatures, expected.userAverageOrder);
    expected.addUserFeatures(
        truth,
        categories,
        e -> {
          LocalDate ingested = ingestDays.get(e.eventId());
          if (ingested == null) {
            throw new IllegalArgumentException("No ingestion day for event " + e.eventId());
          }
          return ingested.isAfter(day(e)) ? ingested : day(e);
        },
        expected.userFeaturesKnown,
        expected.userAverageOrderKnown);
    return expected;
  }

  private static BigDecimal usd(Event e) {
    return e.revenue() == null
        ? null
        : BigDecimal.valueOf(e.revenue()).multiply(FX).setScale(6, RoundingMode.HALF_UP);
  }

  /** The events' revenue in USD, at scale 6; 0 when none carries revenue. */
  private static BigDecimal revenueUsd(List<Event> events) {
    return events.stream()
        .map(ExpectedGold::usd)
        .filter(u -> u != null)
        .reduce(BigDecimal.ZERO.setScale(6), BigDecimal::add);
  }

  /** The UTC day an event falls on: its silver partition and its gold day. */
  static LocalDate day(Event e) {
    return LocalDate.ofInstant(Instant.ofEpochMilli(e.timestamp()), ZoneOffset.UTC);
  }

  /** One row per session: its user, first and last event, counts by type, revenue. */
  private void addSessions(GroundTruth truth) {
    Map<String, List<Event>> bySession =
        truth.events().values().stream()
            .filter(e -> e.sessionId() != null)
            .collect(Collectors.groupingBy(Event::sessionId));
    bySession.forEach(
        (session, events) -> {
          long start = events.stream().mapToLong(Event::timestamp).min().getAsLong();
          long end = events.stream().mapToLong(Event::timestamp).max().getAsLong();
          String user =
              events.stream()
                  .map(Event::userId)
                  .filter(u -> u != null)
                  .min(String::compareTo)
                  .orElse(null);
          BigDecimal revenue = revenueUsd(events);
          long purchases = count(events, "purchase");
          sessions.put(
              session,
              String.join(
                  "|",
                  String.valueOf(user),
                  String.valueOf(start),
                  String.valueOf(end),
                  String.valueOf((double) (end - start) / 1000),
                  String.valueOf(events.size()),
                  String.valueOf(count(events, "page_view")),
                  String.valueOf(count(events, "add_to_cart")),
                  String.valueOf(purchases),
                  revenue.toPlainString(),
                  String.valueOf(purchases > 0)));
        });
  }

  /**
   * One row per user and day an event of theirs became known ({@code known}: by event time, the
   * event's day; as known, the later of that and its ingestion day), from the user's events known
   * by the end of that day: the point-in-time features, computed the long way round (every window
   * re-counted from the events).
   */
  private static void addUserFeatures(
      GroundTruth truth,
      Map<String, String> categories,
      Function<Event, LocalDate> known,
      Map<String, String> features,
      Map<String, BigDecimal> averageOrders) {
    Map<String, List<Event>> byUser =
        truth.events().values().stream()
            .filter(e -> e.userId() != null)
            .collect(Collectors.groupingBy(Event::userId));
    byUser.forEach(
        (user, events) -> {
          List<LocalDate> rowDays = events.stream().map(known).distinct().sorted().toList();
          for (LocalDate asOf : rowDays) {
            List<Event> upTo = events.stream().filter(e -> !known.apply(e).isAfter(asOf)).toList();
            List<LocalDate> active =
                upTo.stream().map(ExpectedGold::day).distinct().sorted().toList();
            List<Event> week = within(upTo, asOf, 7);
            List<Event> month = within(upTo, asOf, 30);
            List<Event> bought =
                upTo.stream().filter(e -> e.eventType().equals("purchase")).toList();
            BigDecimal revenue = revenueUsd(bought);
            Map<String, Long> monthCategories =
                month.stream()
                    .map(e -> e.productId() == null ? null : categories.get(e.productId()))
                    .filter(c -> c != null)
                    .collect(Collectors.groupingBy(c -> c, TreeMap::new, Collectors.counting()));
            String preferred =
                monthCategories.entrySet().stream()
                    .max(
                        Map.Entry.<String, Long>comparingByValue()
                            .thenComparing(Map.Entry.<String, Long>comparingByKey().reversed()))
                    .map(Map.Entry::getKey)
                    .orElse(null);
            int last = active.size() - 1;
            String key = user + "|" + asOf;
            features.put(
                key,
                String.join(
                    "|",
                    String.valueOf(upTo.stream().mapToLong(Event::timestamp).min().getAsLong()),
                    String.valueOf(upTo.stream().mapToLong(Event::timestamp).max().getAsLong()),
                    last == 0
                        ? "null"
                        : String.valueOf(
                            active.get(last).toEpochDay() - active.get(last - 1).toEpochDay()),
                    String.valueOf(active.size()),
                    String.valueOf(week.size()),
                    String.valueOf(count(week, "purchase")),
                    String.valueOf(month.size()),
                    String.valueOf(count(month, "purchase")),
                    String.valueOf(bought.size()),
                    revenue.toPlainString(),
                    String.valueOf(preferred)));
            averageOrders.put(
                key,
                bought.isEmpty()
                    ? null
                    : revenue.divide(BigDecimal.valueOf(bought.size()), 12, RoundingMode.HALF_UP));
          }
        });
  }

  /** The events of the {@code days} days ending on {@code asOf}. */
  private static List<Event> within(List<Event> events, LocalDate asOf, int days) {
    LocalDate first = asOf.minusDays(days - 1L);
    return events.stream().filter(e -> !day(e).isBefore(first)).toList();
  }

  private static long count(List<Event> events, String type) {
    return events.stream().filter(e -> e.eventType().equals(type)).count();
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
