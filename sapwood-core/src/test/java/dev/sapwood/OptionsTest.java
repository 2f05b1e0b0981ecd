package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptionsTest {
  private static final UpdateFunction MAX = new UpdateFunction() {
    @Override
    public String name() {
      return "test.max";
    }

    @Override
    public byte[] apply(byte[] key, byte[] oldValue, byte[] argument) {
      return oldValue == null || java.util.Arrays.compareUnsigned(argument, oldValue) > 0 ? argument : oldValue;
    }
  };

  /** Every setting set at once, each to a value other than its default. */
  private static Options everySettingChanged() {
    return Options.defaults().cacheSize(3 << 20).nodeSize(256 << 10).basementSize(8 << 10).fanout(7)
        .compression(Compression.NONE).register(MAX).durability(Durability.SYNC)
        .syncInterval(Duration.ofMillis(7)).checkpointInterval(Duration.ofSeconds(9))
        .transactionRetries(3).transactionBackoff(Duration.ofMillis(5)).maxTransactionBytes(1 << 20)
        .leafDeltaRatio(2.5).offHeapCacheShare(0.25).logCompression(false).readOnly(true).createIfMissing(false);
  }

  @Test
  void eachSetterChangesItsOwnSettingAndKeepsEveryOther() {
    Options o = everySettingChanged();
    assertEquals(3 << 20, o.cacheSize());
    assertEquals(256 << 10, o.nodeSize());
    assertEquals(8 << 10, o.basementSize());
    assertEquals(7, o.fanout());
    assertEquals(Compression.NONE, o.compression());
    assertEquals(List.of(MAX), o.registeredFunctions());
    assertEquals(Durability.SYNC, o.durability());
    assertEquals(Duration.ofMillis(7), o.syncInterval());
    assertEquals(Duration.ofSeconds(9), o.checkpointInterval());
    assertEquals(3, o.transactionRetries());
    assertEquals(Duration.ofMillis(5), o.transactionBackoff());
    assertEquals(1 << 20, o.maxTransactionBytes());
    assertEquals(2.5, o.leafDeltaRatio());
    assertEquals(0.25, o.offHeapCacheShare());
    assertFalse(o.logCompression());
    assertTrue(o.readOnly());
    assertFalse(o.createIfMissing());
    assertTrue(o.isNodeSizeSet() && o.isBasementSizeSet() && o.isFanoutSet() && o.isCompressionSet());
  }

  @Test
  void settersLeaveTheOptionsTheyWereCalledOnAsTheyWere() {
    Options before = everySettingChanged();
    String shown = before.toString();
    before.cacheSize(1 << 20).nodeSize(64 << 10).fanout(5).readOnly(false).createIfMissing(true)
        .durability(Durability.NONE).leafDeltaRatio(0).offHeapCacheShare(0);
    assertEquals(shown, before.toString());
    assertEquals(2.5, before.leafDeltaRatio());
    assertEquals(0.25, before.offHeapCacheShare());
    Options d = Options.defaults();
    assertEquals(128L << 20, d.cacheSize());
    assertFalse(d.readOnly() || d.isNodeSizeSet());
    assertTrue(d.createIfMissing());
  }

  @Test
  void aSmallerNodeSizeShrinksTheBasementWithIt() {
    Options o = Options.defaults().basementSize(64 << 10).nodeSize(16 << 10);
    assertEquals(16 << 10, o.basementSize());
    assertThrows(IllegalArgumentException.class, () -> Options.defaults().nodeSize(16 << 10).basementSize(32 << 10));
  }

  @Test
  void registeringANameTwiceOrABuiltInsNameIsRefused() {
    Options o = Options.defaults().register(MAX);
    assertThrows(IllegalArgumentException.class, () -> o.register(MAX));
    assertThrows(IllegalArgumentException.class, () -> o.register(new UpdateFunction() {
      @Override
      public String name() {
        return UpdateFunctions.ADD_LONG.name();
      }

      @Override
      public byte[] apply(byte[] key, byte[] oldValue, byte[] argument) {
        return argument;
      }
    }));
    assertEquals(List.of(MAX), o.registeredFunctions());
  }
}
