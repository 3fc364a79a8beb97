package dev.medallion.gold;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import dev.medallion.common.error.Errors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The gold tables of a lakehouse: one SQL file each ({@link GoldStatement}), the bundled ones in
 * the project's {@code gold/tables/} (shipped in the jar) and the user's in {@code
 * gold.tables.dir}, read when a command starts, so a table is added without Java or a rebuild. The
 * job, full refresh, backfill, maintenance, the SQL catalog and the Airflow manifest take their
 * tables from here.
 */
public final class GoldTables {
  /** Where the bundled tables are, on the class path. */
  static final String BUNDLED_FOLDER = "gold/tables";

  private static final String SUFFIX = ".sql";

  private static final GoldTables BUNDLED = new GoldTables(List.of(), Map.of(), bundledFiles());

  private final List<GoldTable> all;

  /** Where each table was declared, by name: a second declaration of a name is refused. */
  private final Map<String, String> sourceByName;

  /** {@code tables} (declared in {@code sources}) and the tables of these files after them. */
  private GoldTables(
      List<GoldTable> tables, Map<String, String> sources, Map<String, String> sourcesToText) {
    Map<String, String> sourceByName = new LinkedHashMap<>(sources);
    List<GoldTable> all = new ArrayList<>(tables);
    sourcesToText.forEach(
        (source, text) -> {
          GoldTable table = GoldStatement.parse(source, text);
          String expected = table.name() + SUFFIX;
          if (!source.endsWith("/" + expected) && !source.equals(expected)) {
            throw Errors.usage(
                "Cannot read the gold table of "
                    + source
                    + ": it declares gold."
                    + table.name()
                    + "; name its file "
                    + expected);
          }
          String other = sourceByName.putIfAbsent(table.name(), source);
          if (other != null) {
            throw Errors.usage(
                "Cannot declare gold."
                    + table.name()
                    + " twice: in "
                    + other
                    + " and in "
                    + source
                    + "; rename or remove one");
          }
          all.add(table);
        });
    this.all = List.copyOf(all);
    this.sourceByName = Map.copyOf(sourceByName);
  }

  /** The bundled tables alone. */
  public static GoldTables bundled() {
    return BUNDLED;
  }

  /** The bundled tables and those of {@code gold.tables.dir}, if set. */
  public static GoldTables of(MedallionConfig config) {
    String dir = config.get(Settings.GOLD_TABLES_DIR);
    if (dir.isBlank()) {
      return BUNDLED;
    }
    return new GoldTables(BUNDLED.all, BUNDLED.sourceByName, read(folder(dir)));
  }

  /** Every table, the bundled ones first, each group by name. */
  public List<GoldTable> all() {
    return all;
  }

  public Optional<GoldTable> named(String name) {
    return all.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** The tables' names, comma-separated, for messages. */
  public String names() {
    return all.stream().map(GoldTable::name).collect(Collectors.joining(", "));
  }

  /** The bundled table of this name, which exists by construction. */
  public static GoldTable bundled(String name) {
    return BUNDLED
        .named(name)
        .orElseThrow(() -> new IllegalStateException("No bundled gold table " + name));
  }

  private static Path folder(String dir) {
    Path folder = Path.of(dir);
    if (!Files.isDirectory(folder)) {
      throw Errors.usage(
          "Cannot read gold tables from "
              + Settings.GOLD_TABLES_DIR.key()
              + "="
              + dir
              + ": it is not a folder; set it to a folder of .sql files, or leave it empty");
    }
    return folder;
  }

  private static Map<String, String> bundledFiles() {
    URI uri;
    try {
      uri = GoldTables.class.getClassLoader().getResource(BUNDLED_FOLDER).toURI();
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("The jar has no " + BUNDLED_FOLDER + " folder", e);
    }
    if (!uri.getScheme().equals("jar")) {
      return read(Path.of(uri));
    }
    try {
      return read(jar(uri).provider().getPath(uri));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the bundled gold tables in " + uri, e);
    }
  }

  /** The jar's file system, opened once per JVM and kept: the jar is the running code's. */
  private static FileSystem jar(URI uri) throws IOException {
    try {
      return FileSystems.newFileSystem(uri, Map.of());
    } catch (FileSystemAlreadyExistsException e) {
      return FileSystems.getFileSystem(uri);
    }
  }

  /** The text of each {@code .sql} file of a folder, by its path, in name order. */
  private static Map<String, String> read(Path folder) {
    Map<String, String> files = new LinkedHashMap<>();
    try (Stream<Path> listing = Files.list(folder)) {
      for (Path file :
          listing
              .filter(f -> f.getFileName().toString().endsWith(SUFFIX))
              .sorted(Comparator.comparing(f -> f.getFileName().toString()))
              .toList()) {
        files.put(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the gold tables in " + folder, e);
    }
    return files;
  }
}
