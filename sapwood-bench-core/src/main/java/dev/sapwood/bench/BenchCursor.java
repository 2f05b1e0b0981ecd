package dev.sapwood.bench;

/** A cursor over an engine's data keyspace, in unsigned byte order; returns copies. */
public interface BenchCursor extends AutoCloseable {
  boolean first();

  boolean last();

  /** Positions at the first key at or after {@code key}. */
  boolean seek(byte[] key);

  boolean next();

  boolean prev();

  byte[] key();

  byte[] value();

  @Override
  void close();
}
