#include "storage/write_batch.hpp"

#include <cassert>

namespace nzl::storage {

void write_batch::put(table tbl, std::string_view key, std::string_view value) {
  entries_.push_back(entry{op_kind::put, tbl, data_.size(), key.size(), value.size()});
  data_.append(key);
  data_.append(value);
}

void write_batch::erase(table tbl, std::string_view key) {
  entries_.push_back(entry{op_kind::erase, tbl, data_.size(), key.size(), 0});
  data_.append(key);
}

void write_batch::clear() noexcept {
  entries_.clear();
  data_.clear();
}

write_batch::operation write_batch::operator[](std::size_t i) const {
  assert(i < entries_.size());
  const auto& e = entries_[i];
  std::string_view data{data_};
  return operation{e.kind, e.tbl, data.substr(e.offset, e.key_len),
                   data.substr(e.offset + e.key_len, e.value_len)};
}

} // namespace nzl::storage
