#include "db/statement_text.h"

#include "util/redact.h"

namespace mv::db {

std::string StatementHead(std::string_view sql) {
  constexpr size_t kMaxChars = 60;
  std::string out;
  bool space = false;
  for (char c : sql) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (out.size() >= kMaxChars) {
      out += "...";
      return out;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string StatementMessage(std::string_view where, std::string_view what, std::string_view sql) {
  std::string out(where);
  out += ": ";
  out += RedactSecrets(what);
  if (!sql.empty()) {
    out += " (in \"";
    out += StatementHead(sql);
    out += "\")";
  }
  return out;
}

}  // namespace mv::db
