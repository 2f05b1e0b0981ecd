package dev.sapwood.internal.engine;

import dev.sapwood.internal.fuzz.Fuzz;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link Catalog#decode} ({@link Fuzz}): catalogs with no tree, one, many, long names and
 * function names, mutated and (mostly) resealed, must decode or be a CorruptionException.
 */
class CatalogFuzzTest {
  static List<byte[]> catalogs() {
    List<byte[]> out = new ArrayList<>();
    out.add(new Catalog().encode());
    Catalog one = new Catalog();
    one.add("users", 3);
    out.add(one.encode());
    Catalog many = new Catalog();
    for (int i = 0; i < 40; i++) {
      many.add("tree-" + i + "-" + "n".repeat(i * 3), 10 + i);
    }
    many.functions.add("sapwood.append");
    many.functions.add("f".repeat(255));
    out.add(many.encode());
    Catalog odd = new Catalog();
    odd.add("e", 5);
    odd.add("\u00e9t\u00e9 \u6728", 6);
    odd.nextTreeId = 1000;
    odd.functions.add("x");
    out.add(odd.encode());
    return out;
  }

  private static final Fuzz.Target CATALOG = new Fuzz.Target() {
    @Override
    public void decode(byte[] input) {
      Catalog.decode(input, "fuzz", 8192);
    }

    @Override
    public byte[] reseal(byte[] b, Random r) {
      if (r.nextInt(5) != 0) {
        Fuzz.sealAt(b, 0, b.length - 4);
      }
      return b;
    }
  };

  @Test
  void mutatedCatalogsDecodeOrAreCorruption() {
    Fuzz.run("catalog", catalogs(), CATALOG, Fuzz.iterations(5000));
  }

  @Test
  @Tag("stress")
  void mutatedCatalogsStress() {
    Fuzz.run("catalog", catalogs(), CATALOG, Fuzz.iterations(500_000));
  }
}
