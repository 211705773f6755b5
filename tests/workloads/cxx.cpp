// cxx.cpp — C++ names for the demangler: ns::Worker::hot(int) takes ~90 % of the CPU time.
//
// usage: cxx [SECONDS=3]
#include <chrono>
#include <cstdint>
#include <cstdlib>

namespace ns {
struct Worker {
	std::uint64_t x = 1;
	__attribute__((noinline)) void hot(int rounds);
	__attribute__((noinline)) void cool(int rounds);
};

void Worker::hot(int rounds)
{
	for (int r = 0; r < rounds; r++)
		for (unsigned i = 0; i < 4096; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			__asm__ volatile("" : "+r"(x));
		}
}

void Worker::cool(int rounds)
{
	hot(rounds / 9 > 0 ? rounds / 9 : 1);
}
} // namespace ns

int main(int argc, char **argv)
{
	double secs = argc > 1 ? std::atof(argv[1]) : 3.0;
	auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(secs);
	ns::Worker w;

	while (std::chrono::steady_clock::now() < end)
		w.hot(9 * 64);
	return static_cast<int>(w.x & 0);
}
