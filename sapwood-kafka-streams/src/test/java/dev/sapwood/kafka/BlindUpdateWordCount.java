package dev.sapwood.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sapwood.Options;
import dev.sapwood.UpdateFunctions;
import java.util.Locale;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Example: a word count that never reads. Each word adds 1 to its counter with a Sapwood blind
 * update ({@link UpdateFunctions#ADD_LONG}); the counts are read only when asked (here: by
 * interactive queries or a punctuation, not per record), which is what RocksDB's store cannot do
 * from Java. Built with the Processor API on {@link SapwoodStores#updatableStoreBuilder}.
 */
public final class BlindUpdateWordCount {
  static final String STORE = "blind-counts";

  private BlindUpdateWordCount() {}

  /** A topology reading lines from {@code input} and counting words into {@value #STORE}; forwards nothing. */
  public static Topology topology(String input, String unusedOutput) {
    Topology t = new Topology();
    t.addSource("lines", Serdes.String().deserializer(), Serdes.String().deserializer(), input);
    t.addProcessor("count", CountWords::new, "lines");
    t.addStateStore(SapwoodStores.updatableStoreBuilder(STORE, Options.defaults().cacheSize(SapwoodStores.DEFAULT_CACHE_SIZE)),
        "count");
    return t;
  }

  /** Adds 1 per word, without reading the count. */
  static final class CountWords implements Processor<String, String, Void, Void> {
    private static final byte[] ONE = UpdateFunctions.fromLong(1);
    private SapwoodKeyValueStore counts;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      counts = SapwoodKeyValueStore.unwrap(context.getStateStore(STORE));
    }

    @Override
    public void process(Record<String, String> line) {
      for (String word : line.value().toLowerCase(Locale.ROOT).split("\\W+")) {
        if (!word.isEmpty()) {
          counts.update(Bytes.wrap(word.getBytes(UTF_8)), UpdateFunctions.ADD_LONG, ONE);
        }
      }
    }
  }
}
