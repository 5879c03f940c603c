// What keeps the prebuilt addons, linked on Debian 12 (glibc 2.36, GCC 12), loadable on the older
// systems of the devices (Ubuntu 20.04 under JetPack 5: glibc 2.31, GCC 9's libstdc++): the prebuild
// builder refuses a binary that needs a symbol version newer than GLIBC_2.28 or GLIBCXX_3.4.25.
// dl.cc binds dlopen and its friends to their first version; the two below are referenced by
// GCC 12's inline library code and are defined here so that nothing newer is asked of the system.

#include <new>

// GCC 12's libstdc++ headers skip atomic reference counts (shared_ptr) while glibc's
// __libc_single_threaded (GLIBC_2.32) says the process has one thread. The addon's own hidden copy
// is always 0 ("more than one thread", which a Node process has anyway): the counts stay atomic.
#if defined(__GLIBC__)
extern "C" {
__attribute__((visibility("hidden"))) char __libc_single_threaded = 0;
}
#endif

// std::allocator<T>::allocate throws through this function (GLIBCXX_3.4.29, GCC 11) when asked for
// more elements than fit in memory. Where the system's libstdc++ has it, either definition throws
// the same exception.
#if defined(_GLIBCXX_RELEASE) && _GLIBCXX_RELEASE >= 11
namespace std {
void __throw_bad_array_new_length() { throw bad_array_new_length(); }
}  // namespace std
#endif
