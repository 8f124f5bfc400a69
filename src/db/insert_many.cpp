#include "db/insert_many.h"

#include <algorithm>
#include <string>

namespace mv::db {

Status InsertMany(Connection& c, std::string_view head, std::string_view tail, size_t width,
                  const std::vector<Value>& values) {
  constexpr size_t kRowsPerStatement = 64;
  const size_t rows = values.size() / width;
  std::string full_sql;
  for (size_t first = 0; first < rows; first += kRowsPerStatement) {
    const size_t n = std::min(kRowsPerStatement, rows - first);
    std::string sql(head);
    sql += " VALUES ";
    for (size_t r = 0; r < n; ++r) {
      sql += r == 0 ? "(" : ", (";
      for (size_t col = 0; col < width; ++col) {
        if (col > 0) sql += ", ";
        sql += "$" + std::to_string(r * width + col + 1);
      }
      sql += ")";
    }
    sql += " ";
    sql += tail;
    std::span<const Value> params(values.data() + first * width, n * width);
    MV_RETURN_IF_ERROR(c.Execute(sql, params).status());
  }
  return Status::Ok();
}

}  // namespace mv::db
