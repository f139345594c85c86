#include "store/codec.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace accelscope::store::codec {

namespace {

static_assert(std::endian::native == std::endian::little, "the codec assumes little endian");

constexpr double kWholeLimit = 9007199254740992.0;  // 2^53: whole doubles below it fit a varint

void put_varint(std::string& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

std::uint64_t zigzag(std::int64_t value) {
  return (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
}

std::int64_t unzigzag(std::uint64_t value) {
  return static_cast<std::int64_t>(value >> 1) ^ -static_cast<std::int64_t>(value & 1);
}

void put_tag(std::string& out, Tag tag) {
  out.push_back(static_cast<char>(tag));
}

void put_value(std::string& out, const nlohmann::json& value) {
  using Type = nlohmann::json::value_t;
  switch (value.type()) {
    case Type::null:
    case Type::discarded:
      put_tag(out, Tag::null);
      return;
    case Type::boolean:
      put_tag(out, value.get<bool>() ? Tag::true_value : Tag::false_value);
      return;
    case Type::number_integer:
      put_tag(out, Tag::integer);
      put_varint(out, zigzag(value.get<std::int64_t>()));
      return;
    case Type::number_unsigned: {
      const std::uint64_t number = value.get<std::uint64_t>();
      if (number <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        put_tag(out, Tag::integer);
        put_varint(out, zigzag(static_cast<std::int64_t>(number)));
      } else {
        put_tag(out, Tag::unsigned_big);
        put_varint(out, number);
      }
      return;
    }
    case Type::number_float: {
      const double number = value.get<double>();
      // -0.0 must stay a real: as a varint it would come back as +0.
      if (std::abs(number) < kWholeLimit && number == std::trunc(number) &&
          !(number == 0 && std::signbit(number))) {
        put_tag(out, Tag::whole_real);
        put_varint(out, zigzag(static_cast<std::int64_t>(number)));
      } else {
        put_tag(out, Tag::real);
        const auto bits = std::bit_cast<std::uint64_t>(number);
        char bytes[8];
        std::memcpy(bytes, &bits, 8);
        out.append(bytes, 8);
      }
      return;
    }
    case Type::string: {
      const auto& text = value.get_ref<const std::string&>();
      put_tag(out, Tag::text);
      put_varint(out, text.size());
      out.append(text);
      return;
    }
    case Type::array:
    case Type::object:
    case Type::binary: {
      const std::string text = value.dump();
      put_tag(out, Tag::json);
      put_varint(out, text.size());
      out.append(text);
      return;
    }
  }
}

}  // namespace

std::uint64_t Cursor::varint() {
  std::uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (position_ >= bytes_.size()) throw DecodeError{"truncated number"};
    const auto byte = static_cast<unsigned char>(bytes_[position_++]);
    value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  throw DecodeError{"over-long number"};
}

bool Cursor::next() {
  if (position_ >= bytes_.size()) return false;
  if (has_keys_) {
    const std::uint64_t key = varint();
    if (key > std::numeric_limits<std::uint32_t>::max()) throw DecodeError{"bad key index"};
    key_ = static_cast<std::uint32_t>(key);
  }
  if (position_ >= bytes_.size()) throw DecodeError{"entry without a value"};
  tag_ = static_cast<Tag>(bytes_[position_++]);
  switch (tag_) {
    case Tag::null:
    case Tag::false_value:
    case Tag::true_value:
      return true;
    case Tag::integer:
    case Tag::whole_real:
    case Tag::unsigned_big:
      bits_ = varint();
      return true;
    case Tag::real:
      if (bytes_.size() - position_ < 8) throw DecodeError{"truncated number"};
      std::memcpy(&bits_, bytes_.data() + position_, 8);
      position_ += 8;
      return true;
    case Tag::text:
    case Tag::json: {
      const std::uint64_t size = varint();
      if (size > bytes_.size() - position_) throw DecodeError{"truncated text"};
      payload_ = bytes_.substr(position_, size);
      position_ += size;
      return true;
    }
  }
  throw DecodeError{"unknown value tag " + std::to_string(static_cast<int>(tag_))};
}

bool Cursor::is_number() const {
  return tag_ == Tag::integer || tag_ == Tag::real || tag_ == Tag::whole_real ||
         tag_ == Tag::unsigned_big;
}

double Cursor::number() const {
  switch (tag_) {
    case Tag::integer:
    case Tag::whole_real:
      return static_cast<double>(unzigzag(bits_));
    case Tag::unsigned_big:
      return static_cast<double>(bits_);
    case Tag::real:
      return std::bit_cast<double>(bits_);
    default:
      return std::numeric_limits<double>::quiet_NaN();
  }
}

nlohmann::json Cursor::value() const {
  switch (tag_) {
    case Tag::null:
      return nullptr;
    case Tag::false_value:
      return false;
    case Tag::true_value:
      return true;
    case Tag::integer:
      return unzigzag(bits_);
    case Tag::unsigned_big:
      return bits_;
    case Tag::real:
    case Tag::whole_real:
      return number();
    case Tag::text:
      return std::string(payload_);
    case Tag::json: {
      nlohmann::json parsed = nlohmann::json::parse(payload_, nullptr, false);
      if (parsed.is_discarded()) throw DecodeError{"a stored JSON value does not parse"};
      return parsed;
    }
  }
  return nullptr;
}

std::string encode_array(const nlohmann::json& array) {
  std::string out;
  out.reserve(array.size() * 9);
  for (const nlohmann::json& element : array) put_value(out, element);
  return out;
}

nlohmann::json decode_array(std::string_view bytes) {
  nlohmann::json array = nlohmann::json::array();
  Cursor cursor(bytes, false);
  while (cursor.next()) array.push_back(cursor.value());
  return array;
}

std::string encode_object(const nlohmann::json& object,
                          const std::function<std::uint32_t(const std::string&)>& key_index) {
  std::string out;
  out.reserve(object.size() * 10);
  for (auto it = object.begin(); it != object.end(); ++it) {
    put_varint(out, key_index(it.key()));
    put_value(out, it.value());
  }
  return out;
}

nlohmann::json decode_object(std::string_view bytes,
                             const std::function<const std::string&(std::uint32_t)>& key_name) {
  nlohmann::json object = nlohmann::json::object();
  Cursor cursor(bytes, true);
  while (cursor.next()) object[key_name(cursor.key())] = cursor.value();
  return object;
}

}  // namespace accelscope::store::codec
