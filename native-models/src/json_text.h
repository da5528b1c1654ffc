// JSON string literals for the engine's hand-written JSON (config, backends): quotes, backslashes
// and control characters escaped, so a GPU name or a driver message can never break the document.
#pragma once

#include <cstdio>
#include <ostream>
#include <string_view>

namespace vxd {

inline void write_json_string(std::ostream& o, std::string_view s) {
  o << '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      o << '\\' << ch;
    } else if (c < 0x20) {
      char esc[7];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      o << esc;
    } else {
      o << ch;  // UTF-8 passes through unchanged
    }
  }
  o << '"';
}

}  // namespace vxd
