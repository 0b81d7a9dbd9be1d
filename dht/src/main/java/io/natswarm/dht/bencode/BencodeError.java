package io.natswarm.dht.bencode;

/** Why a byte string is not a valid bencoded value (BEP 3, "bencoding"). */
public enum BencodeError {
  NONE,
  EMPTY,
  TRUNCATED,
  UNEXPECTED_BYTE,
  BAD_INTEGER,
  INTEGER_TOO_LARGE,
  BAD_STRING_LENGTH,
  STRING_TOO_LONG,
  TOO_DEEP,
  TOO_MANY_TOKENS,
  KEY_NOT_STRING,
  KEYS_NOT_SORTED,
  TRAILING_BYTES,
  INPUT_TOO_LONG
}
