package dev.medallion.common.table;

import java.util.Objects;

/**
 * A layer's streaming query that reads a table, named by its checkpoint ({@code
 * <root>/_checkpoints/<layer>/<query>}). Declared with the table it reads, so that maintenance
 * knows whom a VACUUM could break and a status can say how far behind each reader is.
 *
 * @param layer the layer whose job runs the query
 * @param query the query's name, which is its checkpoint's directory
 */
public record StreamReader(String layer, String query) {
  public StreamReader {
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(query, "query");
  }
}
