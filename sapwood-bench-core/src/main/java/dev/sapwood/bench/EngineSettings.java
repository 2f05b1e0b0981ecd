package dev.sapwood.bench;

import dev.sapwood.Compression;
import dev.sapwood.Durability;

/**
 * What every engine of one run shares: the memory budget, the durability of single writes, the
 * compression, the expected number of keys (LMDB sizes its map from it) and the record sizes.
 * {@code nodeSize} and {@code basementSize} are Sapwood's only (0 = its default).
 */
public record EngineSettings(long cacheSize, Durability durability, Compression compression,
    int nodeSize, int basementSize, long expectedKeys, int keySize, int valueSize) {}
