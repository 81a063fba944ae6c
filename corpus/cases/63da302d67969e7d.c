typedef unsigned long long ull __attribute__((aligned(16)));
struct s1 { ull i : 1; unsigned long long x; } __attribute__((packed));
void f(int a0, struct s1 a1);
