// How statements are named in messages (private to src/db).
#pragma once

#include <string>
#include <string_view>

namespace mv::db {

// The statement's first words with whitespace runs collapsed, at most about 60 characters,
// "..." when cut: `SELECT id, name FROM archives WHERE ...`.
std::string StatementHead(std::string_view sql);

// "<where>: <what> (in \"<statement head>\")", or without the statement when `sql` is empty.
std::string StatementMessage(std::string_view where, std::string_view what, std::string_view sql);

}  // namespace mv::db
