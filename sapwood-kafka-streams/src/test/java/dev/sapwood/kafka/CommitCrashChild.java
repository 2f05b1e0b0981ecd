package dev.sapwood.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sapwood.UpdateFunctions;
import java.io.File;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;

/**
 * Child process of {@link CommitCrashTest}: opens the store in {@code args[0]}, resumes after its
 * committed offset, and runs rounds forever: round r puts {@value #KEYS} keys of group r % 5 to "r",
 * adds 1 to counter "n" with a blind update, sets "last" to r, and commits with changelog offset r,
 * printing "committed r" after each commit. Killed with SIGKILL by the parent at some point.
 */
public final class CommitCrashChild {
  static final TopicPartition CHANGELOG = new TopicPartition("crash-store-changelog", 0);
  static final int KEYS = 300;
  static final int GROUPS = 5;

  private CommitCrashChild() {}

  static Bytes key(String s) {
    return Bytes.wrap(s.getBytes(UTF_8));
  }

  static Bytes groupKey(long group, int i) {
    return key("g" + group + "-" + i);
  }

  public static void main(String[] args) {
    TestStoreContext ctx = new TestStoreContext(new File(args[0]));
    SapwoodKeyValueStore store = (SapwoodKeyValueStore) SapwoodStores.keyValueStore("crash-store").get();
    store.init(ctx, store);
    Long c = store.committedOffset(CHANGELOG);
    long r = c == null ? 1 : c + 1;
    System.out.println("resumed " + (r - 1));
    for (;; r++) {
      byte[] value = Long.toString(r).getBytes(UTF_8);
      for (int i = 0; i < KEYS; i++) {
        store.put(groupKey(r % GROUPS, i), value);
      }
      store.update(key("n"), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(1));
      store.put(key("last"), value);
      store.commit(Map.of(CHANGELOG, r));
      System.out.println("committed " + r);
    }
  }
}
