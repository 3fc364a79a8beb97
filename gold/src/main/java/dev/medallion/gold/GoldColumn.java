package dev.medallion.gold;

import java.util.Locale;
import java.util.Objects;
import org.apache.spark.sql.types.DataType;

/**
 * One column of a gold table: the SQL that computes it over the grouped columns, the description BI
 * tools show for it (written to the table as the column's comment), and the type its statement
 * declares, which a run checks the SQL's type against before it reads data.
 *
 * @param sql a grouped column's name, or an expression ending in {@code AS name}
 * @param description what the column holds, in the words an analyst needs
 * @param type the declared type, or null when the column is declared without one
 */
public record GoldColumn(String sql, String description, DataType type) {

  public GoldColumn {
    Objects.requireNonNull(sql, "sql");
    if (description == null || description.isBlank()) {
      throw new IllegalArgumentException(
          "Cannot declare gold column '" + sql + "' without a description");
    }
    String name = nameOf(sql);
    if (!name.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException(
          "Cannot declare gold column '"
              + sql
              + "': end it with 'AS name' (lower_snake_case), or give a bare column name");
    }
  }

  /**
   * A column of no declared type: {@code sql} is a grouped column's name or {@code ... AS name}.
   */
  public static GoldColumn column(String sql, String description) {
    return new GoldColumn(sql, description, null);
  }

  /** The column's name in the table. */
  public String name() {
    return nameOf(sql);
  }

  /** The name an SQL select item yields: the alias after {@code AS}, or the item itself. */
  static String nameOf(String sql) {
    int as = sql.toUpperCase(Locale.ROOT).lastIndexOf(" AS ");
    return (as < 0 ? sql : sql.substring(as + 4)).trim();
  }
}
