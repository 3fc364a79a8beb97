package dev.medallion.launcher;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Prints a query result as an aligned table, CSV or JSON lines. */
enum ResultPrinter {
  TABLE {
    @Override
    void print(Dataset<Row> result, int limit, PrintStream out) {
      String[] columns = result.columns();
      List<String[]> cells = new ArrayList<>();
      cells.add(columns);
      for (Row row : result.limit(limit).collectAsList()) {
        String[] line = new String[columns.length];
        for (int i = 0; i < columns.length; i++) {
          line[i] = row.isNullAt(i) ? "NULL" : text(row.get(i));
        }
        cells.add(line);
      }
      int[] widths = new int[columns.length];
      cells.forEach(
          line -> {
            for (int i = 0; i < line.length; i++) {
              widths[i] = Math.max(widths[i], line[i].length());
            }
          });
      for (int r = 0; r < cells.size(); r++) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < columns.length; i++) {
          text.append(i == 0 ? "" : " | ")
              .append(String.format(Locale.ROOT, "%-" + widths[i] + "s", cells.get(r)[i]));
        }
        out.println(text.toString().stripTrailing());
        if (r == 0) {
          out.println(
              java.util.Arrays.stream(widths)
                  .mapToObj("-"::repeat)
                  .collect(Collectors.joining("-+-")));
        }
      }
      out.printf("(%d rows)%n", cells.size() - 1);
    }
  },
  CSV {
    @Override
    void print(Dataset<Row> result, int limit, PrintStream out) {
      out.println(String.join(",", result.columns()));
      for (Row row : result.limit(limit).collectAsList()) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < row.size(); i++) {
          values.add(row.isNullAt(i) ? "" : quote(text(row.get(i))));
        }
        out.println(String.join(",", values));
      }
    }
  },
  JSON {
    @Override
    void print(Dataset<Row> result, int limit, PrintStream out) {
      result.limit(limit).toJSON().collectAsList().forEach(out::println);
    }
  };

  private static final java.time.format.DateTimeFormatter TIMESTAMP =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  abstract void print(Dataset<Row> result, int limit, PrintStream out);

  /** Timestamps as {@code yyyy-MM-dd HH:mm:ss} in UTC (never the JVM's zone), the rest as is. */
  static String text(Object value) {
    if (value instanceof java.sql.Timestamp timestamp) {
      return timestamp.toInstant().atOffset(java.time.ZoneOffset.UTC).format(TIMESTAMP);
    }
    return String.valueOf(value);
  }

  static String quote(String value) {
    if (value.contains(",") || value.contains("\"") || value.contains("\n")) {
      return "\"" + value.replace("\"", "\"\"") + "\"";
    }
    return value;
  }
}
