#include "apt/depends.h"

#include "apt/version.h"

namespace mv::apt {
namespace {

bool Blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool NameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '-' || c == '.' || c == '~' || c == '_';
}

// A left-to-right reader over one field's value that knows where it is for errors.
class Reader {
 public:
  Reader(std::string_view text, std::string_view field, std::string_view package)
      : text_(text), field_(field), package_(package) {}

  void SkipBlanks() {
    while (pos_ < text_.size() && Blank(text_[pos_])) ++pos_;
  }
  bool AtEnd() {
    SkipBlanks();
    return pos_ >= text_.size();
  }
  // The next non-blank character, or '\0' at the end.
  char Peek() { return AtEnd() ? '\0' : text_[pos_]; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  // A run of name characters (possibly empty), after blanks.
  std::string_view Name() {
    SkipBlanks();
    size_t start = pos_;
    while (pos_ < text_.size() && NameChar(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  // Characters up to (not including) `stop` or a blank, after blanks.
  std::string_view Until(std::string_view stops) {
    SkipBlanks();
    size_t start = pos_;
    while (pos_ < text_.size() && !Blank(text_[pos_]) && stops.find(text_[pos_]) == stops.npos) {
      ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }

  Status Error(const std::string& what) const {
    std::string shown(text_.size() > 200 ? text_.substr(0, 200) : text_);
    for (char& c : shown) {
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
    }
    return InvalidArgument(std::string(field_) + " of " + std::string(package_) + ": " + what +
                           " at offset " + std::to_string(pos_) + " in \"" + shown +
                           (text_.size() > 200 ? "...\"" : "\""));
  }

 private:
  std::string_view text_, field_, package_;
  size_t pos_ = 0;
};

Result<Relation> ReadRelation(Reader& r) {
  if (r.Eat('<')) {
    if (r.Eat('<')) return Relation::kEarlier;
    if (r.Eat('=')) return Relation::kEarlierEqual;
    return Relation::kEarlierEqual;  // obsolete "<" means "<="
  }
  if (r.Eat('>')) {
    if (r.Eat('>')) return Relation::kLater;
    if (r.Eat('=')) return Relation::kLaterEqual;
    return Relation::kLaterEqual;  // obsolete ">" means ">="
  }
  if (r.Eat('=')) return Relation::kEqual;
  return r.Error("expected a relation (<<, <=, =, >=, >>)");
}

Result<Dependency> ReadDependency(Reader& r) {
  Dependency d;
  std::string_view name = r.Name();
  if (name.empty()) return r.Error("expected a package name");
  d.package = name;
  if (r.Eat(':')) {
    std::string_view arch = r.Name();
    if (arch.empty()) return r.Error("expected an architecture after ':'");
    d.arch_qualifier = arch;
  }
  if (r.Eat('(')) {
    MV_ASSIGN_OR_RETURN(d.relation, ReadRelation(r));
    std::string_view version = r.Until("()");
    if (version.empty()) return r.Error("expected a version");
    d.version = version;
    if (!r.Eat(')')) return r.Error("expected ')' after the version");
  }
  if (r.Eat('[')) {
    while (!r.Eat(']')) {
      std::string_view word = r.Until("[]<>(),|");
      if (word.empty()) return r.Error("expected an architecture or ']'");
      d.arch_restrictions.emplace_back(word);
    }
    if (d.arch_restrictions.empty()) return r.Error("empty architecture restriction");
  }
  while (r.Eat('<')) {
    std::string formula;
    while (!r.Eat('>')) {
      std::string_view word = r.Until("[]<>(),|");
      if (word.empty()) return r.Error("expected a build profile or '>'");
      if (!formula.empty()) formula += ' ';
      formula += word;
    }
    if (formula.empty()) return r.Error("empty build profile formula");
    d.profile_formulas.push_back(std::move(formula));
  }
  return d;
}

// "os-cpu" parts of a Debian architecture name: "amd64" is linux-amd64, "hurd-i386" is
// hurd-i386, "any" is any-any.
std::pair<std::string_view, std::string_view> ArchParts(std::string_view arch) {
  if (arch == "any") return {"any", "any"};
  size_t dash = arch.find('-');
  if (dash == std::string_view::npos) return {"linux", arch};
  return {arch.substr(0, dash), arch.substr(dash + 1)};
}

bool ArchMatches(std::string_view pattern, std::string_view arch) {
  if (pattern == arch) return true;
  auto [pos, pcpu] = ArchParts(pattern);
  auto [aos, acpu] = ArchParts(arch);
  return (pos == "any" || pos == aos) && (pcpu == "any" || pcpu == acpu);
}

}  // namespace

std::string_view RelationName(Relation r) {
  switch (r) {
    case Relation::kAny:
      return "";
    case Relation::kEarlier:
      return "<<";
    case Relation::kEarlierEqual:
      return "<=";
    case Relation::kEqual:
      return "=";
    case Relation::kLaterEqual:
      return ">=";
    case Relation::kLater:
      return ">>";
  }
  return "";
}

Result<std::vector<DependencyGroup>> ParseDependencies(std::string_view value,
                                                       std::string_view field,
                                                       std::string_view package) {
  Reader r(value, field, package);
  std::vector<DependencyGroup> groups;
  if (r.AtEnd()) return groups;
  while (true) {
    DependencyGroup group;
    while (true) {
      MV_ASSIGN_OR_RETURN(Dependency d, ReadDependency(r));
      group.push_back(std::move(d));
      if (!r.Eat('|')) break;
    }
    groups.push_back(std::move(group));
    if (r.AtEnd()) break;
    if (!r.Eat(',')) return r.Error("expected ',' or '|'");
  }
  return groups;
}

Result<std::vector<Dependency>> ParseProvides(std::string_view value, std::string_view package) {
  MV_ASSIGN_OR_RETURN(std::vector<DependencyGroup> groups,
                      ParseDependencies(value, "Provides", package));
  std::vector<Dependency> out;
  out.reserve(groups.size());
  for (DependencyGroup& g : groups) {
    const std::string shown = "Provides of " + std::string(package) + ": ";
    if (g.size() != 1) return InvalidArgument(shown + "alternatives ('|') are not allowed");
    if (g[0].relation != Relation::kAny && g[0].relation != Relation::kEqual) {
      return InvalidArgument(shown + g[0].package + " may only be provided with '=' a version");
    }
    out.push_back(std::move(g[0]));
  }
  return out;
}

bool Satisfies(std::string_view version, Relation relation, std::string_view wanted) {
  if (relation == Relation::kAny) return true;
  int c = CompareVersions(version, wanted);
  switch (relation) {
    case Relation::kAny:
      return true;
    case Relation::kEarlier:
      return c < 0;
    case Relation::kEarlierEqual:
      return c <= 0;
    case Relation::kEqual:
      return c == 0;
    case Relation::kLaterEqual:
      return c >= 0;
    case Relation::kLater:
      return c > 0;
  }
  return false;
}

bool ArchRestrictionAdmits(const std::vector<std::string>& restrictions, std::string_view arch) {
  if (restrictions.empty()) return true;
  bool any_positive = false;
  for (const std::string& r : restrictions) {
    std::string_view word = r;
    bool negated = word.starts_with('!');
    if (negated) word.remove_prefix(1);
    if (negated) {
      if (ArchMatches(word, arch)) return false;
    } else {
      any_positive = true;
      if (ArchMatches(word, arch)) return true;
    }
  }
  return !any_positive;
}

std::string ToString(const Dependency& d) {
  std::string out = d.package;
  if (!d.arch_qualifier.empty()) out += ":" + d.arch_qualifier;
  if (d.relation != Relation::kAny) {
    out += " (";
    out += RelationName(d.relation);
    out += " " + d.version + ")";
  }
  if (!d.arch_restrictions.empty()) {
    out += " [";
    for (size_t i = 0; i < d.arch_restrictions.size(); ++i) {
      out += (i ? " " : "") + d.arch_restrictions[i];
    }
    out += "]";
  }
  for (const std::string& f : d.profile_formulas) out += " <" + f + ">";
  return out;
}

}  // namespace mv::apt
