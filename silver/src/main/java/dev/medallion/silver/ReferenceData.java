package dev.medallion.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import dev.medallion.common.error.Errors;
import io.delta.tables.DeltaTable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Product reference data for enrichment: {@code product_id -> product_name, category, brand}, from
 * the configured path (CSV, Parquet or Delta) or the sample bundled for the demo.
 */
final class ReferenceData {
  static final String BUNDLED_PRODUCTS = "/dev/medallion/silver/products.csv";
  private static final List<String> OPTIONAL_COLUMNS = List.of("product_name", "category", "brand");
  private static final StructType SCHEMA =
      new StructType()
          .add("product_id", DataTypes.StringType)
          .add("product_name", DataTypes.StringType)
          .add("category", DataTypes.StringType)
          .add("brand", DataTypes.StringType);

  private ReferenceData() {}

  /** One row per product id (the smallest values win if the source repeats an id). */
  static Dataset<Row> products(SparkSession spark, MedallionConfig config) {
    String path = config.get(Settings.SILVER_REFERENCE_PRODUCTS);
    Dataset<Row> raw = path.isBlank() ? bundled(spark) : read(spark, path);
    if (!Arrays.asList(raw.columns()).contains("product_id")) {
      throw Errors.usage(
          "Cannot use product reference data at '"
              + path
              + "': it has no product_id column (columns: "
              + String.join(", ", raw.columns())
              + ")");
    }
    for (String column : OPTIONAL_COLUMNS) {
      if (!Arrays.asList(raw.columns()).contains(column)) {
        raw = raw.withColumn(column, lit(null).cast(DataTypes.StringType));
      }
    }
    return raw.select(
            col("product_id").cast(DataTypes.StringType).as("ref_product_id"),
            col("product_name").cast("string"),
            col("category").cast("string"),
            col("brand").cast("string"))
        .where("ref_product_id IS NOT NULL")
        .groupBy("ref_product_id")
        .agg(
            min("product_name").as("product_name"),
            min("category").as("category"),
            min("brand").as("brand"));
  }

  private static Dataset<Row> read(SparkSession spark, String path) {
    if (path.endsWith(".csv")) {
      return spark.read().option("header", "true").csv(path);
    }
    if (DeltaTable.isDeltaTable(spark, path)) {
      return spark.read().format("delta").load(path);
    }
    return spark.read().parquet(path);
  }

  private static Dataset<Row> bundled(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    try (InputStream in = ReferenceData.class.getResourceAsStream(BUNDLED_PRODUCTS);
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      reader.readLine(); // header
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String[] cells = line.split(",", -1);
        rows.add(RowFactory.create((Object[]) cells));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the bundled products sample", e);
    }
    return spark.createDataFrame(rows, SCHEMA);
  }
}
