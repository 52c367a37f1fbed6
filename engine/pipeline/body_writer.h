// Writes an object's body to a viewer according to its ObjectResponsePlan
// (policies/object_response.h): the whole body, one range, or multipart/byteranges parts,
// cutting the object's shared chunks without copying them. Chunks arrive in order, from a
// complete object or from one still arriving. Loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/server/exchange.h"
#include "policies/object_response.h"

namespace edge::engine {

class BodyWriter {
 public:
  BodyWriter() = default;
  // `plan` must outlive the writer's use.
  void begin(Exchange& ex, const policies::ObjectResponsePlan& plan);
  // The next chunk of the object body (absolute offsets continue from the previous call).
  void write(const SharedBytes& chunk);
  // Every byte the plan selects has been written (a range may end before the object does).
  bool done() const;
  // Writes what closes the body (the multipart tail).
  void end();

 private:
  Exchange* ex_ = nullptr;
  const policies::ObjectResponsePlan* plan_ = nullptr;
  bool ranged_ = false;
  uint64_t pos_ = 0;   // object offset of the next chunk
  size_t range_ = 0;   // current range index
  bool part_head_sent_ = false;
  bool ended_ = false;
};

}  // namespace edge::engine
