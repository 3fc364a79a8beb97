package dev.medallion.sample.events;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The categories of the product reference data silver bundles, read as plain CSV: what tests expect
 * silver's enrichment to produce, computed without silver's own code.
 */
public final class BundledProducts {
  private static final String RESOURCE = "/dev/medallion/silver/products.csv";

  private BundledProducts() {}

  /** Category by product id; needs silver's resources on the classpath. */
  public static Map<String, String> categories() {
    Map<String, String> byProduct = new HashMap<>();
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(
                BundledProducts.class.getResourceAsStream(RESOURCE), StandardCharsets.UTF_8))) {
      reader
          .lines()
          .skip(1)
          .map(line -> line.split(","))
          .forEach(cells -> byProduct.put(cells[0], cells[2]));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + RESOURCE, e);
    }
    return byProduct;
  }
}
