#include "jobs/job.h"

#include <array>
#include <utility>

namespace mv::jobs {
namespace {

constexpr std::array<std::pair<JobKind, std::string_view>, 5> kKinds = {{
    {JobKind::kMirror, "mirror"},
    {JobKind::kImport, "import"},
    {JobKind::kPublish, "publish"},
    {JobKind::kPrune, "prune"},
    {JobKind::kNoop, "noop"},
}};
constexpr std::array<std::pair<JobState, std::string_view>, 7> kStates = {{
    {JobState::kScheduled, "scheduled"},
    {JobState::kAvailable, "available"},
    {JobState::kRunning, "running"},
    {JobState::kSucceeded, "succeeded"},
    {JobState::kRetryable, "retryable"},
    {JobState::kFailed, "failed"},
    {JobState::kCancelled, "cancelled"},
}};

template <typename E, size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "?";
}

template <typename E, size_t N>
Result<E> Parse(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view text,
                std::string_view what) {
  std::string names;
  for (const auto& [v, name] : table) {
    if (name == text) return v;
    names += names.empty() ? "" : ", ";
    names += name;
  }
  return InvalidArgument("unknown job " + std::string(what) + " '" + std::string(text) +
                         "' (one of " + names + ")");
}

}  // namespace

std::string_view JobKindName(JobKind kind) { return NameOf(kKinds, kind); }
std::string_view JobStateName(JobState state) { return NameOf(kStates, state); }
Result<JobKind> ParseJobKind(std::string_view text) { return Parse(kKinds, text, "kind"); }
Result<JobState> ParseJobState(std::string_view text) { return Parse(kStates, text, "state"); }

bool IsActive(JobState state) {
  return state == JobState::kScheduled || state == JobState::kAvailable ||
         state == JobState::kRunning || state == JobState::kRetryable;
}

}  // namespace mv::jobs
