// DecodeNode over arbitrary bytes. Properties: it never crashes and refuses with Corruption (with
// a message naming the node and a byte offset); what it accepts is canonical: a leaf's entries
// re-encode (EncodeDirectory) to one node byte-identical to the input, and a shard node's fields
// are in range (depth <= 63, 1..16 children with strictly ascending nibbles) and re-serialize to
// the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "archive/tree.h"
#include "fuzz_check.h"

namespace {

std::string ShardBytes(const mv::archive::DecodedNode& node) {
  std::string out("MVT\x01S", 5);
  out += static_cast<char>(node.depth);
  out += static_cast<char>(node.children.size());  // 1..16: a one-byte varint
  for (const auto& c : node.children) {
    out += static_cast<char>(c.nibble);
    out += mv::archive::AsBytes(c.id);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using mv::archive::DecodedNode;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto node = mv::archive::DecodeNode(bytes, "fuzz-node");
  if (!node.ok()) {
    MV_FUZZ_CHECK_ERROR(node.status(), mv::StatusCode::kCorruption);
    MV_FUZZ_CHECK(node.status().message().find("fuzz-node") != std::string::npos &&
                      node.status().message().find("at byte ") != std::string::npos,
                  node.status().message());
    return 0;
  }
  if (node->kind == DecodedNode::Kind::kLeaf) {
    MV_FUZZ_CHECK(node->entries.size() <= mv::archive::kMaxLeafEntries, "");
    auto again = mv::archive::EncodeDirectory(node->entries);
    MV_FUZZ_CHECK(again.ok(), again.status().ToString());
    MV_FUZZ_CHECK(again->nodes.size() == 1, std::to_string(again->nodes.size()));
    MV_FUZZ_CHECK(again->nodes[0].bytes == bytes, mv::fuzz::Printable(again->nodes[0].bytes));
    MV_FUZZ_CHECK(again->id == mv::archive::Sha256Of(bytes), "");
  } else {
    MV_FUZZ_CHECK(node->depth >= 0 && node->depth <= 63, std::to_string(node->depth));
    MV_FUZZ_CHECK(!node->children.empty() && node->children.size() <= mv::archive::kShardFanout,
                  std::to_string(node->children.size()));
    for (size_t i = 0; i < node->children.size(); ++i) {
      MV_FUZZ_CHECK(node->children[i].nibble < 16, "");
      MV_FUZZ_CHECK(i == 0 || node->children[i - 1].nibble < node->children[i].nibble, "");
    }
    MV_FUZZ_CHECK(ShardBytes(*node) == bytes, mv::fuzz::Printable(bytes));
  }
  return 0;
}
