// Internal to store/: the compact binary form of a trial's point, params and metrics (schema 3).
//
// A JSON object whose keys come from a per-study dictionary (table study_key) is stored as a
// sequence of entries "varint key index, tag byte, payload"; a JSON array (the point) as "tag
// byte, payload" per element. Numbers keep their JSON type and exact value: a double is 8 bytes,
// or a varint when it is a whole number of magnitude below 2^53 (most parameters); an integer is a
// zig-zag varint. Strings are length-prefixed; anything else (nested objects, arrays) is stored as
// its JSON text, so every JSON value round-trips. A metric takes about 10 bytes instead of ~30 as
// JSON text, and readers can pull numbers out without building JSON.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace accelscope::store::codec {

// Bytes that do not decode (a corrupt row); the caller names the file and the row.
struct DecodeError {
  std::string problem;
};

enum class Tag : std::uint8_t {
  null = 0,
  false_value = 1,
  true_value = 2,
  integer = 3,       // zig-zag varint (JSON integer)
  real = 4,          // 8 bytes, little endian (JSON float)
  whole_real = 5,    // a JSON float with a whole value, as a zig-zag varint
  text = 6,          // varint length, UTF-8 bytes
  json = 7,          // varint length, JSON text (arrays, objects)
  unsigned_big = 8,  // varint (JSON unsigned integer above INT64_MAX)
};

// Walks the entries of an encoded array (has_keys false) or object (has_keys true).
class Cursor {
 public:
  Cursor(std::string_view bytes, bool has_keys) : bytes_(bytes), has_keys_(has_keys) {}
  // Moves to the next entry; false at the end. Throws DecodeError on malformed bytes.
  bool next();
  std::uint32_t key() const { return key_; }  // objects only
  Tag tag() const { return tag_; }
  bool is_number() const;
  double number() const;  // NaN unless is_number()
  // The text of a text entry (valid as long as the bytes are); empty for other tags.
  std::string_view text() const { return tag_ == Tag::text ? payload_ : std::string_view(); }
  nlohmann::json value() const;

 private:
  std::uint64_t varint();
  std::string_view bytes_;
  bool has_keys_;
  std::size_t position_ = 0;
  std::uint32_t key_ = 0;
  Tag tag_ = Tag::null;
  std::uint64_t bits_ = 0;    // integer payloads and the raw bits of reals
  std::string_view payload_;  // text and json payloads
};

std::string encode_array(const nlohmann::json& array);
nlohmann::json decode_array(std::string_view bytes);

// key_index(name) gives (and, for a name not seen before, assigns) the dictionary index.
std::string encode_object(const nlohmann::json& object,
                          const std::function<std::uint32_t(const std::string&)>& key_index);
// key_name(index) gives the name; it throws DecodeError for an index it does not know.
nlohmann::json decode_object(std::string_view bytes,
                             const std::function<const std::string&(std::uint32_t)>& key_name);

}  // namespace accelscope::store::codec
