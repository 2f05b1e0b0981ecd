package dev.sapwood.internal.view;

/** An entry read from the tree: encoded key and value. */
record Raw(byte[] key, byte[] value) {}
