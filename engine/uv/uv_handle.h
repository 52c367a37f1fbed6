// RAII ownership of libuv handles (house convention 4). A UvHandle is pinned (neither copyable
// nor movable) because libuv keeps pointers into the handle. The handle memory is heap-allocated
// and released only in the uv_close callback, after libuv has let go of it; the owner may be
// destroyed before that. Loop thread only.
#pragma once

#include <uv.h>

#include <utility>

namespace edge::engine {

template <typename T>
class UvHandle {
 public:
  UvHandle() : h_(new T{}) {}
  ~UvHandle() { close(); }
  UvHandle(const UvHandle&) = delete;
  UvHandle& operator=(const UvHandle&) = delete;

  T* get() const { return h_; }
  uv_handle_t* handle() const { return reinterpret_cast<uv_handle_t*>(h_); }
  uv_stream_t* stream() const { return reinterpret_cast<uv_stream_t*>(h_); }

  // Runs a uv_*_init function on the handle; the handle is closed through uv_close from then on.
  template <typename InitFn, typename... Args>
  int init(InitFn fn, Args&&... args) {
    const int rc = fn(std::forward<Args>(args)..., h_);
    initialized_ = rc == 0;
    return rc;
  }

  // Runs `fn(handle)` for init functions whose handle is not the last argument (uv_async_init).
  template <typename Fn>
  int initWith(Fn&& fn) {
    const int rc = fn(h_);
    initialized_ = rc == 0;
    return rc;
  }

  bool active() const { return h_ != nullptr && initialized_; }

  // Closes the handle: no callback but the close callback runs after this. `data` is cleared so
  // that callbacks of requests still in flight (uv_write) can see the owner is gone.
  void close() {
    if (h_ == nullptr) return;
    if (initialized_) {
      handle()->data = nullptr;
      if (!uv_is_closing(handle())) {
        uv_close(handle(), [](uv_handle_t* h) { delete reinterpret_cast<T*>(h); });
      }
    } else {
      delete h_;
    }
    h_ = nullptr;
    initialized_ = false;
  }

 private:
  T* h_;
  bool initialized_ = false;
};

}  // namespace edge::engine
